import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogupEmulator, startEmulator } from 'logup-emulator';
import { emulatorLog } from '../support/log-capture.js';

const GATE = { idGate: 'gate_a', secret: 'secret_a_value' };
const OTHER = { idGate: 'gate_b', secret: 'secret_b_value' };

/** A raw JSON call, exactly as a client on the wire would send it. */
async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
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

/** An access token for GATE from the emulator at `base`. */
async function grantFrom(base: string): Promise<{ access_token: string; expires_in: number }> {
  const res = await call(base, 'POST', '/v1_1/oauth/token', {
    client_id: GATE.idGate,
    client_secret: GATE.secret,
    grant_type: 'client_credentials',
  });
  return res.body as { access_token: string; expires_in: number };
}

describe('logup-emulator REST API (LOGUP-API.md)', () => {
  let emu: LogupEmulator;
  let base: string;
  const grant = async (gate = GATE, version = 'v1_1') =>
    (
      await call(base, 'POST', `/${version}/oauth/token`, {
        client_id: gate.idGate,
        client_secret: gate.secret,
        grant_type: 'client_credentials',
      })
    ).body.access_token as string;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, gates: [GATE, OTHER], log: emulatorLog });
    base = emu.url;
  });
  afterAll(() => emu.stop());

  describe('POST /oauth/token', () => {
    it('grants a Bearer token with 201 and expires_in', async () => {
      const res = await call(base, 'POST', '/v1_1/oauth/token', {
        client_id: GATE.idGate,
        client_secret: GATE.secret,
        grant_type: 'client_credentials',
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    });

    it.each([
      [{ client_id: GATE.idGate, client_secret: 'wrong', grant_type: 'client_credentials' }, 401, 'INVALID_CLIENT'],
      [{ client_id: 'gate_nope', client_secret: GATE.secret, grant_type: 'client_credentials' }, 401, 'INVALID_CLIENT'],
      [{ client_id: GATE.idGate, client_secret: GATE.secret, grant_type: 'password' }, 400, 'UNSUPPORTED_GRANT_TYPE'],
      [{ client_id: GATE.idGate }, 400, 'INVALID_REQUEST'],
      ['{not json', 400, 'INVALID_JSON'],
    ])('refuses %j with %i %s', async (body, status, errorMessage) => {
      const res = await call(base, 'POST', '/v1_1/oauth/token', body);
      expect(res.status).toBe(status);
      expect(res.body.errorMessage).toBe(errorMessage);
    });

    it('serves only known versions', async () => {
      expect((await call(base, 'POST', '/v9_9/oauth/token', {})).status).toBe(404);
      expect((await call(base, 'POST', '/1_1/oauth/token', {})).body.errorMessage).toBe('UNKNOWN_API_VERSION');
    });

    it('lets access tokens expire (401 EXPIRED_ACCESS_TOKEN)', async () => {
      const shortLived = await startEmulator({ port: 0, gates: [GATE], accessTokenTtlSeconds: 0.2, log: emulatorLog });
      try {
        const granted = await grantFrom(shortLived.url);
        expect(granted.expires_in).toBe(0.2);
        await new Promise((r) => setTimeout(r, 300));
        const res = await call(shortLived.url, 'POST', '/v1_1/verification', { logupToken: 'x' }, granted.access_token);
        expect(res).toMatchObject({ status: 401, body: { errorMessage: 'EXPIRED_ACCESS_TOKEN' } });
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      } finally {
        await shortLived.stop();
      }
    });
  });

  describe('POST /verification', () => {
    it('verifies once, with idActor, idSubscription and db; then INVALID_LOGUP_TOKEN', async () => {
      const token = await grant();
      const login = emu.login({ idGate: GATE.idGate, email: 'ver@example.com', db: { keyName: true } });
      expect(login.logupToken).toMatch(/^[A-Za-z0-9]{128}$/);
      const first = await call(base, 'POST', '/v1_1/verification', { logupToken: login.logupToken }, token);
      expect(first).toMatchObject({
        status: 201,
        body: { verified: true, idActor: login.idActor, idSubscription: login.idSubscription, db: { keyName: true } },
      });
      const second = await call(base, 'POST', '/v1_1/verification', { logupToken: login.logupToken }, token);
      expect(second).toMatchObject({ status: 201, body: { verified: false, errorMessage: 'INVALID_LOGUP_TOKEN' } });
    });

    it('lets logupTokens expire', async () => {
      const shortLived = await startEmulator({ port: 0, gates: [GATE], logupTokenTtlSeconds: 0.2, log: emulatorLog });
      try {
        const login = shortLived.login({ idGate: GATE.idGate, email: 'late@example.com' });
        await new Promise((r) => setTimeout(r, 300));
        const { access_token } = await grantFrom(shortLived.url);
        const res = await call(
          shortLived.url,
          'POST',
          '/v1_1/verification',
          { logupToken: login.logupToken },
          access_token,
        );
        expect(res.body).toEqual({ verified: false, errorMessage: 'INVALID_LOGUP_TOKEN' });
      } finally {
        await shortLived.stop();
      }
    });

    it('binds logupTokens to their gate', async () => {
      const login = emu.login({ idGate: GATE.idGate, email: 'bound@example.com' });
      const res = await call(base, 'POST', '/v1_1/verification', { logupToken: login.logupToken }, await grant(OTHER));
      expect(res.body).toEqual({ verified: false, errorMessage: 'INVALID_LOGUP_TOKEN' });
      // ...and the failed attempt from the other gate did not consume it.
      const own = await call(base, 'POST', '/v1_1/verification', { logupToken: login.logupToken }, await grant());
      expect(own.body.verified).toBe(true);
    });

    it.each([
      [undefined, 'MISSING_ACCESS_TOKEN'],
      ['made-up-token', 'INVALID_ACCESS_TOKEN'],
    ])('needs a valid access token (%s -> %s)', async (token, errorMessage) => {
      const res = await call(base, 'POST', '/v1_1/verification', { logupToken: 'x' }, token);
      expect(res).toMatchObject({ status: 401, body: { errorMessage } });
    });

    it('answers 200 instead when started with verificationStatus: 200', async () => {
      const answers200 = await startEmulator({ port: 0, gates: [GATE], verificationStatus: 200, log: emulatorLog });
      try {
        const login = answers200.login({ idGate: GATE.idGate, email: 'two-hundred@example.com' });
        const { access_token } = await grantFrom(answers200.url);
        const body = { logupToken: login.logupToken };
        const first = await call(answers200.url, 'POST', '/v1_1/verification', body, access_token);
        expect(first).toMatchObject({ status: 200, body: { verified: true, idSubscription: login.idSubscription } });
        const again = await call(answers200.url, 'POST', '/v1_1/verification', body, access_token);
        expect(again).toMatchObject({ status: 200, body: { verified: false, errorMessage: 'INVALID_LOGUP_TOKEN' } });
      } finally {
        await answers200.stop();
      }
    });

    it('refuses a verificationStatus other than 200 or 201', () => {
      expect(() => new LogupEmulator({ gates: [GATE], verificationStatus: 204 as 200 })).toThrow(/200 or 201/);
    });

    it('answers 400 to a body without logupToken', async () => {
      const res = await call(base, 'POST', '/v1_1/verification', { token: 'x' }, await grant());
      expect(res).toMatchObject({ status: 400, body: { errorMessage: 'INVALID_REQUEST' } });
    });
  });

  describe('the subscription DB', () => {
    let token: string;
    let id: string;
    beforeEach(async () => {
      token = await grant();
      id = emu.login({
        idGate: GATE.idGate,
        email: `db${Math.random()}@example.com`,
        db: { alreadySubscribed: false },
      }).idSubscription;
    });

    it('reads, reads some keys, adds/overwrites (200 + whole DB), deletes (204)', async () => {
      const put = await call(
        base,
        'PUT',
        `/v1_1/subscription/${id}/db`,
        {
          data: [
            { key: 'country', value: 'italy' },
            { key: 'age', value: 21 },
            { key: 'alreadySubscribed', value: true },
          ],
        },
        token,
      );
      expect(put).toMatchObject({ status: 200, body: { alreadySubscribed: true, country: 'italy', age: 21 } });
      const some = await call(base, 'GET', `/v1_1/subscription/${id}/db?keys=age,country,nothing`, undefined, token);
      expect(some.body).toEqual({ age: 21, country: 'italy' });
      const del = await call(base, 'DELETE', `/v1_1/subscription/${id}/db`, { keys: ['age', 'nothing'] }, token);
      expect(del).toEqual({ status: 204, headers: expect.anything(), body: undefined });
      const all = await call(base, 'GET', `/v1_1/subscription/${id}/db`, undefined, token);
      expect(all.body).toEqual({ alreadySubscribed: true, country: 'italy' });
    });

    it.each([
      [[{ key: 'k'.repeat(33), value: 1 }], 'KEY_TOO_LONG'],
      [[{ key: '', value: 1 }], 'INVALID_KEY'],
      [[{ key: 'v', value: 'x'.repeat(1025) }], 'VALUE_TOO_LONG'],
      [[{ key: 'v', value: null }], 'INVALID_VALUE_TYPE'],
      [[{ key: 'v', value: { a: 1 } }], 'INVALID_VALUE_TYPE'],
      [[{ key: 'v', value: [1] }], 'INVALID_VALUE_TYPE'],
      [
        [
          { key: 'ok', value: 1 },
          { key: 'bad', value: null },
        ],
        'INVALID_VALUE_TYPE',
      ],
      [Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: i })), 'TOO_MANY_KEYS'],
      [{ key: 'v', value: 1 }, 'INVALID_REQUEST'],
    ])('answers 400 for limit breaches, changing nothing (%#: %s)', async (data, errorMessage) => {
      const res = await call(base, 'PUT', `/v1_1/subscription/${id}/db`, { data }, token);
      expect(res).toMatchObject({ status: 400, body: { errorMessage } });
      expect(emu.db(id)).toEqual({ alreadySubscribed: false });
    });

    it('allows exactly 20 keys, 32-character keys and 1024-character values', async () => {
      const data = Array.from({ length: 19 }, (_, i) => ({ key: `${i}`.padStart(32, 'x'), value: 'é'.repeat(1024) }));
      expect((await call(base, 'PUT', `/v1_1/subscription/${id}/db`, { data }, token)).status).toBe(200);
    });

    it('answers 400 for a DELETE without keys', async () => {
      for (const body of [{}, { keys: [] }, { keys: [1] }]) {
        expect((await call(base, 'DELETE', `/v1_1/subscription/${id}/db`, body, token)).status).toBe(400);
      }
    });

    it("hides other gates' subscriptions (404) and unknown ones", async () => {
      const otherToken = await grant(OTHER);
      expect((await call(base, 'GET', `/v1_1/subscription/${id}/db`, undefined, otherToken)).status).toBe(404);
      expect(
        (await call(base, 'PUT', `/v1_1/subscription/${id}/db`, { data: [{ key: 'x', value: 1 }] }, otherToken)).status,
      ).toBe(404);
      expect((await call(base, 'GET', '/v1_1/subscription/sub_unknown/db', undefined, token)).body.errorMessage).toBe(
        'SUBSCRIPTION_NOT_FOUND',
      );
      expect(emu.db(id)).toEqual({ alreadySubscribed: false });
    });

    it('serves the same subscription DB paths under v1_0, and no actor paths anywhere', async () => {
      const login = emu.login({ idGate: GATE.idGate, email: 'v10@example.com', db: { a: 1 } });
      const v10 = await grant(GATE, 'v1_0');
      const path = `/v1_0/subscription/${login.idSubscription}/db`;
      expect((await call(base, 'GET', path, undefined, v10)).body).toEqual({ a: 1 });
      const put = await call(base, 'PUT', path, { data: [{ key: 'b', value: true }] }, v10);
      expect(put).toMatchObject({ status: 200, body: { a: 1, b: true } });
      expect((await call(base, 'DELETE', path, { keys: ['a'] }, v10)).status).toBe(204);
      expect(emu.db(login.idSubscription)).toEqual({ b: true });
      for (const version of ['v1_0', 'v1_1']) {
        expect((await call(base, 'GET', `/${version}/actor/${login.idActor}/db`, undefined, v10)).status).toBe(404);
      }
    });

    it("accepts the official Python client's wire format: // in paths", async () => {
      const put = await call(
        base,
        'PUT',
        `/v1_1//subscription/${id}/db`,
        { data: [{ key: 'key-test', value: '' }] },
        token,
      );
      expect(put.body).toEqual({ alreadySubscribed: false, 'key-test': '' });
      const del = await call(base, 'DELETE', `/v1_1//subscription/${id}/db`, { keys: ['key-test'] }, token);
      expect(del.status).toBe(204);
      const login = emu.login({ idGate: GATE.idGate, email: 'py@example.com' });
      expect(
        (await call(base, 'POST', '/v1_1//verification', { logupToken: login.logupToken }, token)).body.verified,
      ).toBe(true);
    });

    it('rejects wrong methods with 405', async () => {
      expect((await call(base, 'POST', `/v1_1/subscription/${id}/db`, {}, token)).status).toBe(405);
      expect((await call(base, 'GET', '/v1_1/verification', undefined, token)).status).toBe(405);
    });
  });

  describe('control endpoints', () => {
    it('logs in without a browser, counts, injects and clears faults', async () => {
      await call(base, 'DELETE', '/__emulator/stats');
      const login = await call(base, 'POST', '/__emulator/login', {
        idGate: GATE.idGate,
        email: 'ctl@example.com',
        db: { x: 'y' },
      });
      expect(login).toMatchObject({
        status: 201,
        body: { isNewUser: true, idSubscription: expect.stringMatching(/^sub_/) },
      });
      const again = await call(base, 'POST', '/__emulator/login', { idGate: GATE.idGate, email: 'CTL@example.com' });
      expect(again.body).toMatchObject({ isNewUser: false, idSubscription: login.body.idSubscription });
      expect(
        (await call(base, 'POST', '/__emulator/login', { idGate: GATE.idGate, email: 'x@y.z', db: { a: null } }))
          .status,
      ).toBe(400);

      expect(
        (await call(base, 'POST', '/__emulator/faults', { kind: 'status', status: 503, endpoint: 'token', count: 2 }))
          .status,
      ).toBe(201);
      expect((await call(base, 'POST', '/__emulator/faults', { kind: 'explode' })).body.errorMessage).toBe(
        'INVALID_FAULT',
      );
      expect((await call(base, 'POST', '/v1_1/oauth/token', {})).status).toBe(503);
      await call(base, 'DELETE', '/__emulator/faults');
      expect((await call(base, 'POST', '/v1_1/oauth/token', {})).status).toBe(400);

      const stats = (await call(base, 'GET', '/__emulator/stats')).body;
      expect(stats).toMatchObject({ faultsApplied: 1, rejected: 1, tokenGrants: 0, connections: expect.any(Number) });
      expect((await call(base, 'GET', `/__emulator/db/${login.body.idSubscription}`)).body).toEqual({ x: 'y' });
    });

    it('answers a status fault with the body and headers it carries', async () => {
      await call(base, 'POST', '/__emulator/faults', {
        kind: 'status',
        status: 429,
        endpoint: 'verification',
        body: { errorMessage: 'SLOW_DOWN', detail: [1, 2] },
        headers: { 'retry-after': '2' },
      });
      const res = await call(base, 'POST', '/v1_1/verification', { logupToken: 'x' }, await grant());
      expect(res).toMatchObject({ status: 429, body: { errorMessage: 'SLOW_DOWN', detail: [1, 2] } });
      expect(res.headers.get('retry-after')).toBe('2');
      const refused = await call(base, 'POST', '/__emulator/faults', {
        kind: 'status',
        status: 503,
        headers: { 'bad header': 'x' },
      });
      expect(refused).toMatchObject({ status: 400, body: { errorMessage: 'INVALID_FAULT' } });
    });

    it('mints many tokens for one visitor', async () => {
      const res = await call(base, 'POST', '/__emulator/logins', {
        idGate: GATE.idGate,
        email: 'bulk@example.com',
        count: 3,
      });
      expect(res.status).toBe(201);
      expect(new Set(res.body.logupTokens).size).toBe(3);
      const token = await grant();
      for (const logupToken of res.body.logupTokens) {
        const v = await call(base, 'POST', '/v1_1/verification', { logupToken }, token);
        expect(v.body).toMatchObject({ verified: true, idSubscription: res.body.idSubscription });
      }
      expect(
        (await call(base, 'POST', '/__emulator/logins', { idGate: GATE.idGate, email: 'b@x.y', count: 10_001 })).status,
      ).toBe(400);
    });

    it('revokes access tokens', async () => {
      const token = await grant();
      expect(
        (await call(base, 'POST', '/__emulator/revoke-tokens', { idGate: GATE.idGate })).body.revoked,
      ).toBeGreaterThan(0);
      expect((await call(base, 'POST', '/v1_1/verification', { logupToken: 'x' }, token)).status).toBe(401);
    });
  });
});

describe('persistence', () => {
  it('keeps actors, subscriptions and DBs across a restart when given a data file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logup-emu-'));
    const dataFile = join(dir, 'data.json');
    try {
      const first = await startEmulator({ port: 0, gates: [GATE], dataFile, log: emulatorLog });
      const login = first.login({ idGate: GATE.idGate, email: 'keep@example.com', db: { kept: true } });
      await first.stop();
      const second = await startEmulator({ port: 0, gates: [GATE], dataFile, log: emulatorLog });
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
