// A client of the emulator's REST API as the wire sees it (raw JSON over fetch), for
// the api-*.e2e-spec.ts files: each checks one part of LOGUP-API.md.
import type { EmulatorOptions, LogupEmulator } from 'logup-emulator';
import { emulator } from '../support/logup-fixture.js';

export const GATE = { idGate: 'gate_a', secret: 'secret_a_value' };
export const OTHER = { idGate: 'gate_b', secret: 'secret_b_value' };

/** A raw JSON call, exactly as a client on the wire would send it. */
export async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** The token endpoint's answer for `gate` from the emulator at `base`. */
export async function grantFrom(
  base: string,
  gate = GATE,
  version = 'v1_1',
): Promise<{ access_token: string; expires_in: number }> {
  const res = await call(base, 'POST', `/${version}/oauth/token`, {
    client_id: gate.idGate,
    client_secret: gate.secret,
    grant_type: 'client_credentials',
  });
  return res.body as { access_token: string; expires_in: number };
}

/** POST /v1_1/verification of `logupToken` with an access token. */
export const verification = (base: string, logupToken: string, accessToken?: string) =>
  call(base, 'POST', '/v1_1/verification', { logupToken }, accessToken);

/** Runs `check` against an emulator of its own (GATE only, and `options`), stopped afterwards. */
export async function onEmulator(
  options: Partial<EmulatorOptions>,
  check: (emu: LogupEmulator) => Promise<void>,
): Promise<void> {
  const own = await emulator({ gates: [GATE], ...options });
  try {
    await check(own);
  } finally {
    await own.stop();
  }
}

/** Registers hooks that start an emulator with GATE and OTHER for the block, and stop it. */
export function withApiEmulator(): {
  emu: LogupEmulator;
  base: string;
  /** An access token for `gate` (GATE by default). */
  grant(gate?: typeof GATE, version?: string): Promise<string>;
} {
  const api = {
    grant: async (gate = GATE, version = 'v1_1') => (await grantFrom(api.base, gate, version)).access_token,
  } as ReturnType<typeof withApiEmulator>;
  beforeAll(async () => {
    api.emu = await emulator({ gates: [GATE, OTHER] });
    api.base = api.emu.url;
  });
  afterAll(() => api.emu?.stop());
  return api;
}
