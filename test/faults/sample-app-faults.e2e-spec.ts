import { startEmulator, type FaultSpec, type LogupEmulator } from 'logup-emulator';
import { Visitor } from '../support/browserless.js';
import { emulatorLog } from '../support/log-capture.js';
import { GATE, email } from '../support/logup-fixture.js';
import { logIn, startLogin, startSample, type RunningSample } from '../support/sample-app.js';

const TIMEOUT_MS = 400;

/** The sample app configured for "real" LogUp, which is an emulator this test controls. */
function realLogupEnv(emulatorUrl: string, timeoutMs = TIMEOUT_MS): NodeJS.ProcessEnv {
  return {
    LOGUP_ID_GATE: GATE.idGate,
    LOGUP_SECRET: GATE.secret,
    LOGUP_BASE_URL: emulatorUrl,
    LOGUP_LOGIN_URL: `${emulatorUrl}/login`,
    LOGUP_TIMEOUT_MS: String(timeoutMs),
    SESSION_SECRET: 'fault-matrix-session-secret-0123456789',
  };
}

/** The emulator standing in for LogUp and the sample app in front of it, for one adapter. */
interface Matrix {
  adapter: 'express' | 'fastify';
  emu: LogupEmulator;
  sample: RunningSample;
  port: number;
}

const token = ({ emu, adapter }: Matrix) => emu.login({ idGate: GATE.idGate, email: email(adapter) }).logupToken;

/** A browser that started a login, ready to send its callback (so that the callback alone can be timed). */
async function startedCallback(m: Matrix, logupToken = token(m)) {
  const visitor = new Visitor(m.sample.url);
  expect(await startLogin(visitor)).toBe(`${m.emu.url}/login`);
  return { send: () => visitor.get(`/logup/callback?logupToken=${logupToken}&isNewUser=true`, false) };
}

/** A fresh browser starts a login (LOGUP_LOGIN_URL, verbatim) and comes back with `logupToken`. */
const callback = async (m: Matrix, logupToken = token(m)) => (await startedCallback(m, logupToken)).send();

/** After a fault, a plain login works again without any help. */
async function recovers(m: Matrix) {
  const res = await callback(m);
  expect(res.status).toBe(303);
  expect(m.sample.alive()).toBe(true);
}

/** The verification call failing in every way, and the 429 and 401 LogUp answers. */
function verificationFaults(m: Matrix) {
  it.each<[string, number, FaultSpec]>([
    ['500', 503, { kind: 'status', status: 500 }],
    ['502', 503, { kind: 'status', status: 502 }],
    ['503', 503, { kind: 'status', status: 503 }],
    ['a hang past the timeout', 504, { kind: 'hang' }],
    ['malformed JSON', 503, { kind: 'malformed' }],
    // Twice: a drop before any answer on a pooled connection is repeated once on a fresh one.
    ['a dropped connection', 503, { kind: 'drop', count: 2 }],
    ['a connection dropped mid-response', 503, { kind: 'truncate' }],
  ])('verification answering %s -> %i, then recovers', async (_name, status, fault) => {
    const started = await startedCallback(m);
    m.emu.fault({ ...fault, endpoint: 'verification' });
    m.emu.resetStats();
    const at = Date.now();
    const res = await started.send();
    const ms = Date.now() - at;
    expect(res.status).toBe(status);
    expect(Object.keys(JSON.parse(res.body)).sort()).toEqual(['error', 'message', 'statusCode']);
    // One attempt (the token is single-use), ended by LogUp's answer or by one TIMEOUT_MS;
    // a drop before any answer on a pooled connection is repeated once on a fresh one.
    expect(fault.kind === 'drop' ? [1, 2] : [1]).toContain(m.emu.stats().apiRequests);
    if (fault.kind === 'hang') expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1500);
    m.emu.clearFaults(); // the second drop is left when the first attempt had a new connection
    await recovers(m);
  });

  it('429 with a short Retry-After is waited for and retried -> 303', async () => {
    m.emu.fault({ kind: 'status', status: 429, endpoint: 'verification', headers: { 'retry-after': '1' } });
    expect((await callback(m)).status).toBe(303);
  });

  it('429 with a long Retry-After -> 503 passing Retry-After on', async () => {
    m.emu.fault({ kind: 'status', status: 429, endpoint: 'verification', headers: { 'retry-after': '120' } });
    const res = await callback(m);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('120');
    await recovers(m);
  });

  it('an access token revoked mid-run (401) is renewed and the login succeeds', async () => {
    await recovers(m);
    const grants = m.emu.stats().tokenGrants;
    m.emu.revokeAccessTokens();
    expect((await callback(m)).status).toBe(303);
    expect(m.emu.stats().tokenGrants).toBe(grants + 1);
  });
}

/** The DB reads behind /me failing, for a logged-in visitor. */
function dbFaults(m: Matrix) {
  let visitor: Visitor;
  beforeAll(async () => {
    visitor = new Visitor(m.sample.url);
    await logIn(m.sample, visitor, { idGate: GATE.idGate, email: email(m.adapter) });
  });

  it('retries idempotent reads through transient 5xx -> 200', async () => {
    m.emu.fault({ kind: 'status', status: 502, endpoint: 'db-read', count: 2 });
    expect((await visitor.get('/me')).status).toBe(200);
  });

  it.each<[string, number, FaultSpec]>([
    ['persistent 503', 503, { kind: 'status', status: 503, count: 10 }],
    ['a persistent hang', 504, { kind: 'hang', count: 10 }],
  ])('%s -> %i as an HTML page without internals, then recovers', async (_name, status, fault) => {
    m.emu.fault({ ...fault, endpoint: 'db-read' });
    const res = await visitor.get('/me');
    expect(res.status).toBe(status);
    expect(res.body).toContain(`<h1>Error ${status}</h1>`);
    expect(res.body).not.toMatch(/\bat \S+ \(|node_modules|Logup\w*Error/);
    m.emu.clearFaults();
    expect((await visitor.get('/me')).status).toBe(200);
  });
}

describe.each(['express', 'fastify'] as const)('fault matrix through the sample app (%s)', (adapter) => {
  const m = { adapter } as Matrix;

  beforeAll(async () => {
    m.emu = await startEmulator({ port: 0, gates: [GATE], log: emulatorLog });
    m.port = m.emu.port;
    m.sample = await startSample(adapter, realLogupEnv(m.emu.url));
  });
  afterAll(async () => {
    await m.sample?.close();
    await m.emu?.stop();
  });
  afterEach(() => m.emu.clearFaults());

  it('logs in normally (baseline)', () => recovers(m));

  verificationFaults(m);

  describe('the DB behind /me', () => dbFaults(m));

  it('LogUp refusing connections -> 503 fast; recovers by itself when LogUp is back', async () => {
    await m.emu.stop();
    const started = Date.now();
    const down = await callback(m, 'a'.repeat(128));
    expect(down.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5000);
    // The same port, a new LogUp that knows nothing of the old access token.
    m.emu = await startEmulator({ port: m.port, gates: [GATE], log: emulatorLog });
    await recovers(m);
    expect(m.emu.stats()).toMatchObject({ tokenGrants: 1, verifications: 1 });
  });

  it('never crashed, never answered 500, and logged no unhandled rejection', () => {
    expect(m.sample.alive()).toBe(true);
    expect(m.sample.output()).not.toMatch(/Unhandled|ExceptionsHandler|Internal server error/i);
  });
});

/**
 * Holds the token requests (a LogUp that answers when told) while `callbacks` run, and
 * releases them once one is held and no second one has arrived for `settleMs`: a
 * second token request would mean the callbacks did not share one. The app's deadline
 * is long, so nothing here depends on the machine's speed.
 */
async function withTokenHeld<T>(emu: LogupEmulator, callbacks: () => Promise<T>, settleMs = 500) {
  emu.fault({ kind: 'hold', endpoint: 'token', count: 100 });
  const running = callbacks();
  let maxHeld = 0;
  for (const bound = Date.now() + 10_000; emu.stats().held === 0;) {
    if (Date.now() > bound) throw new Error('no token request reached LogUp within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  for (const until = Date.now() + settleMs; Date.now() < until;) {
    maxHeld = Math.max(maxHeld, emu.stats().held);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  emu.clearFaults();
  emu.releaseHeld();
  return { results: await running, maxHeld };
}

describe.each(['express', 'fastify'] as const)('one token grant for many logins (%s)', (adapter) => {
  let emu: LogupEmulator;
  let sample: RunningSample;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, gates: [GATE], log: emulatorLog });
    sample = await startSample(adapter, realLogupEnv(emu.url, 15_000));
  });
  afterAll(async () => {
    await sample?.close();
    await emu?.stop();
  });

  /** `count` browsers that started a login, each with a fresh logupToken. */
  async function started(count: number) {
    return Promise.all(
      Array.from({ length: count }, async () => {
        const logupToken = emu.login({ idGate: GATE.idGate, email: email(`grant-${adapter}`) }).logupToken;
        const visitor = new Visitor(sample.url);
        await startLogin(visitor);
        return () => visitor.get(`/logup/callback?logupToken=${logupToken}&isNewUser=true`, false);
      }),
    );
  }

  it('50 concurrent first callbacks on a cold app share one token request', async () => {
    const sends = await started(50);
    const { results, maxHeld } = await withTokenHeld(emu, () => Promise.all(sends.map((send) => send())));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(303));
    expect(maxHeld).toBe(1);
    expect(emu.stats()).toMatchObject({ tokenGrants: 1, verifications: 50 });
  });

  it('40 callbacks while the access token is revoked share one renewal', async () => {
    const sends = await started(40);
    emu.revokeAccessTokens();
    emu.resetStats();
    const { results, maxHeld } = await withTokenHeld(emu, () => Promise.all(sends.map((send) => send())));
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(303));
    expect(maxHeld).toBe(1);
    expect(emu.stats()).toMatchObject({ tokenGrants: 1, verifications: 40 });
  });
});
