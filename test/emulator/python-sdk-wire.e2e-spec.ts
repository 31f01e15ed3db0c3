import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { emulatorLog } from '../support/log-capture.js';
import { pythonSdkCall } from './raw-http.js';

const GATE = { idGate: 'gate_py', secret: 'secret_py_value' };

/** An emulator under one API version, and an access token the SDK's way. */
type Wire = { emu: LogupEmulator; token: string; version: string };

/** The DB calls, on the paths the SDK builds. */
function dbTests(ctx: Wire): void {
  it('reads, updates and deletes through //subscription/{id}/db and /subscription/{id}/db', async () => {
    const { emu, token, version } = ctx;
    const { idSubscription } = emu.login({ idGate: GATE.idGate, email: `db-${version}@example.com`, db: { a: 1 } });
    const read = await pythonSdkCall(emu.port, 'GET', `/${version}//subscription/${idSubscription}/db`, { token });
    expect(read).toMatchObject({ status: 200, json: { a: 1 } });
    const put = await pythonSdkCall(emu.port, 'PUT', `/${version}//subscription/${idSubscription}/db`, {
      token,
      body: { data: [{ key: 'country', value: 'italy' }] },
    });
    expect(put).toMatchObject({ status: 200, json: { a: 1, country: 'italy' } });
    const del = await pythonSdkCall(emu.port, 'DELETE', `/${version}/subscription/${idSubscription}/db`, {
      token,
      body: { keys: ['a'] },
    });
    expect(del.status).toBe(204);
    expect(del.body).toBe('');
    const after = await pythonSdkCall(emu.port, 'GET', `/${version}//subscription/${idSubscription}/db`, { token });
    expect(after.json).toEqual({ country: 'italy' });
  });

  it('reads some keys with ?keys=', async () => {
    const { emu, token, version } = ctx;
    const { idSubscription } = emu.login({
      idGate: GATE.idGate,
      email: `keys-${version}@example.com`,
      db: { a: 1, b: 2 },
    });
    const res = await pythonSdkCall(emu.port, 'GET', `/${version}//subscription/${idSubscription}/db?keys=b,zz`, {
      token,
    });
    expect(res.json).toEqual({ b: 2 });
  });
}

/**
 * The official Python SDK joins paths as base + "/" + "/subscription/...", so its
 * GET, PUT and POST calls carry `//`; its DELETE has a single slash. Every
 * published version addresses the DB by subscription (LOGUP-API.md).
 */
describe.each(['v1_0', 'v1_1'])('requests shaped like the Python SDK, under %s', (version) => {
  const ctx = { version } as Wire;
  beforeAll(async () => {
    ctx.emu = await startEmulator({ port: 0, gates: [GATE], log: emulatorLog });
    const granted = await pythonSdkCall(ctx.emu.port, 'POST', `/${version}//oauth/token`, {
      body: { client_id: GATE.idGate, client_secret: GATE.secret, grant_type: 'client_credentials' },
    });
    expect(granted.status).toBe(201);
    ctx.token = (granted.json as { access_token: string }).access_token;
  });
  afterAll(() => ctx.emu.stop());

  it('verifies with POST //verification (201)', async () => {
    const { emu, token } = ctx;
    const login = emu.login({ idGate: GATE.idGate, email: `verify-${version}@example.com`, db: { keyName: true } });
    const res = await pythonSdkCall(emu.port, 'POST', `/${version}//verification`, {
      token,
      body: { logupToken: login.logupToken },
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      verified: true,
      idActor: login.idActor,
      idSubscription: login.idSubscription,
      db: { keyName: true },
    });
  });

  dbTests(ctx);

  it('has no actor addressing (404, as the real service answers)', async () => {
    const { emu, token } = ctx;
    const login = emu.login({ idGate: GATE.idGate, email: `actor-${version}@example.com`, db: { a: 1 } });
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await pythonSdkCall(emu.port, method, `/${version}/actor/${login.idActor}/db`, {
        token,
        body: method === 'GET' ? undefined : method === 'PUT' ? { data: [{ key: 'b', value: 2 }] } : { keys: ['a'] },
      });
      expect(res.status).toBe(404);
    }
    expect(emu.db(login.idSubscription)).toEqual({ a: 1 });
  });
});
