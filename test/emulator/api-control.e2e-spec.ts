// The emulator's own control endpoints (logins without a browser, faults, stats,
// revocation), and its data file across a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulator } from '../support/logup-fixture.js';
import { GATE, call, withApiEmulator } from './api-client.js';

const api = withApiEmulator();

describe('control endpoints: logins, faults and stats', () => {
  it('logs in without a browser, counts, injects and clears faults', async () => {
    await call(api.base, 'DELETE', '/__emulator/stats');
    const login = await call(api.base, 'POST', '/__emulator/login', {
      idGate: GATE.idGate,
      email: 'ctl@example.com',
      db: { x: 'y' },
    });
    expect(login).toMatchObject({
      status: 201,
      body: { isNewUser: true, idSubscription: expect.stringMatching(/^sub_/) },
    });
    const again = await call(api.base, 'POST', '/__emulator/login', { idGate: GATE.idGate, email: 'CTL@example.com' });
    expect(again.body).toMatchObject({ isNewUser: false, idSubscription: login.body.idSubscription });
    expect(
      (await call(api.base, 'POST', '/__emulator/login', { idGate: GATE.idGate, email: 'x@y.z', db: { a: null } }))
        .status,
    ).toBe(400);

    expect(
      (await call(api.base, 'POST', '/__emulator/faults', { kind: 'status', status: 503, endpoint: 'token', count: 2 }))
        .status,
    ).toBe(201);
    expect((await call(api.base, 'POST', '/__emulator/faults', { kind: 'explode' })).body.errorMessage).toBe(
      'INVALID_FAULT',
    );
    expect((await call(api.base, 'POST', '/v1_1/oauth/token', {})).status).toBe(503);
    await call(api.base, 'DELETE', '/__emulator/faults');
    expect((await call(api.base, 'POST', '/v1_1/oauth/token', {})).status).toBe(400);

    const stats = (await call(api.base, 'GET', '/__emulator/stats')).body;
    expect(stats).toMatchObject({ faultsApplied: 1, rejected: 1, tokenGrants: 0, connections: expect.any(Number) });
    expect((await call(api.base, 'GET', `/__emulator/db/${login.body.idSubscription}`)).body).toEqual({ x: 'y' });
  });
});

describe('control endpoints: a status fault', () => {
  it('answers a status fault with the body and headers it carries', async () => {
    await call(api.base, 'POST', '/__emulator/faults', {
      kind: 'status',
      status: 429,
      endpoint: 'verification',
      body: { errorMessage: 'SLOW_DOWN', detail: [1, 2] },
      headers: { 'retry-after': '2' },
    });
    const res = await call(api.base, 'POST', '/v1_1/verification', { logupToken: 'x' }, await api.grant());
    expect(res).toMatchObject({ status: 429, body: { errorMessage: 'SLOW_DOWN', detail: [1, 2] } });
    expect(res.headers.get('retry-after')).toBe('2');
    const refused = await call(api.base, 'POST', '/__emulator/faults', {
      kind: 'status',
      status: 503,
      headers: { 'bad header': 'x' },
    });
    expect(refused).toMatchObject({ status: 400, body: { errorMessage: 'INVALID_FAULT' } });
  });
});

describe('control endpoints: bulk logins and revocation', () => {
  it('mints many tokens for one visitor', async () => {
    const res = await call(api.base, 'POST', '/__emulator/logins', {
      idGate: GATE.idGate,
      email: 'bulk@example.com',
      count: 3,
    });
    expect(res.status).toBe(201);
    expect(new Set(res.body.logupTokens).size).toBe(3);
    const token = await api.grant();
    for (const logupToken of res.body.logupTokens) {
      const v = await call(api.base, 'POST', '/v1_1/verification', { logupToken }, token);
      expect(v.body).toMatchObject({ verified: true, idSubscription: res.body.idSubscription });
    }
    expect(
      (await call(api.base, 'POST', '/__emulator/logins', { idGate: GATE.idGate, email: 'b@x.y', count: 10_001 }))
        .status,
    ).toBe(400);
  });

  it('revokes access tokens', async () => {
    const token = await api.grant();
    expect(
      (await call(api.base, 'POST', '/__emulator/revoke-tokens', { idGate: GATE.idGate })).body.revoked,
    ).toBeGreaterThan(0);
    expect((await call(api.base, 'POST', '/v1_1/verification', { logupToken: 'x' }, token)).status).toBe(401);
  });
});

describe('persistence', () => {
  it('keeps actors, subscriptions and DBs across a restart when given a data file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logup-emu-'));
    const dataFile = join(dir, 'data.json');
    try {
      const first = await emulator({ gates: [GATE], dataFile });
      const login = first.login({ idGate: GATE.idGate, email: 'keep@example.com', db: { kept: true } });
      await first.stop();
      const second = await emulator({ gates: [GATE], dataFile });
      expect(second.db(login.idSubscription)).toEqual({ kept: true });
      expect(second.login({ idGate: GATE.idGate, email: 'keep@example.com' })).toMatchObject({
        idSubscription: login.idSubscription,
        isNewUser: false,
      });
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
