// The emulator's subscription DB endpoints as LOGUP-API.md describes them.
import { GATE, OTHER, call, withApiEmulator } from './api-client.js';

const api = withApiEmulator();
// Each test: a fresh subscription of GATE, its DB { alreadySubscribed: false }, and an access token.
let token: string;
let id: string;
beforeEach(async () => {
  token = await api.grant();
  id = api.emu.login({
    idGate: GATE.idGate,
    email: `db${Math.random()}@example.com`,
    db: { alreadySubscribed: false },
  }).idSubscription;
});

describe('the subscription DB: reading and writing, under v1_1 and v1_0', () => {
  it('reads, reads some keys, adds/overwrites (200 + whole DB), deletes (204)', async () => {
    const put = await call(
      api.base,
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
    const some = await call(api.base, 'GET', `/v1_1/subscription/${id}/db?keys=age,country,nothing`, undefined, token);
    expect(some.body).toEqual({ age: 21, country: 'italy' });
    const del = await call(api.base, 'DELETE', `/v1_1/subscription/${id}/db`, { keys: ['age', 'nothing'] }, token);
    expect(del).toEqual({ status: 204, headers: expect.anything(), body: undefined });
    const all = await call(api.base, 'GET', `/v1_1/subscription/${id}/db`, undefined, token);
    expect(all.body).toEqual({ alreadySubscribed: true, country: 'italy' });
  });

  it('serves the same subscription DB paths under v1_0, and no actor paths anywhere', async () => {
    const login = api.emu.login({ idGate: GATE.idGate, email: 'v10@example.com', db: { a: 1 } });
    const v10 = await api.grant(GATE, 'v1_0');
    const path = `/v1_0/subscription/${login.idSubscription}/db`;
    expect((await call(api.base, 'GET', path, undefined, v10)).body).toEqual({ a: 1 });
    const put = await call(api.base, 'PUT', path, { data: [{ key: 'b', value: true }] }, v10);
    expect(put).toMatchObject({ status: 200, body: { a: 1, b: true } });
    expect((await call(api.base, 'DELETE', path, { keys: ['a'] }, v10)).status).toBe(204);
    expect(api.emu.db(login.idSubscription)).toEqual({ b: true });
    for (const version of ['v1_0', 'v1_1']) {
      expect((await call(api.base, 'GET', `/${version}/actor/${login.idActor}/db`, undefined, v10)).status).toBe(404);
    }
  });
});

describe('the subscription DB: the wire as clients send it', () => {
  it("accepts the official Python client's wire format: // in paths", async () => {
    const put = await call(
      api.base,
      'PUT',
      `/v1_1//subscription/${id}/db`,
      { data: [{ key: 'key-test', value: '' }] },
      token,
    );
    expect(put.body).toEqual({ alreadySubscribed: false, 'key-test': '' });
    const del = await call(api.base, 'DELETE', `/v1_1//subscription/${id}/db`, { keys: ['key-test'] }, token);
    expect(del.status).toBe(204);
    const login = api.emu.login({ idGate: GATE.idGate, email: 'py@example.com' });
    expect(
      (await call(api.base, 'POST', '/v1_1//verification', { logupToken: login.logupToken }, token)).body.verified,
    ).toBe(true);
  });

  it('rejects wrong methods with 405', async () => {
    expect((await call(api.base, 'POST', `/v1_1/subscription/${id}/db`, {}, token)).status).toBe(405);
    expect((await call(api.base, 'GET', '/v1_1/verification', undefined, token)).status).toBe(405);
  });
});

describe('the subscription DB: limits and access', () => {
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
    const res = await call(api.base, 'PUT', `/v1_1/subscription/${id}/db`, { data }, token);
    expect(res).toMatchObject({ status: 400, body: { errorMessage } });
    expect(api.emu.db(id)).toEqual({ alreadySubscribed: false });
  });

  it('allows exactly 20 keys, 32-character keys and 1024-character values', async () => {
    const data = Array.from({ length: 19 }, (_, i) => ({ key: `${i}`.padStart(32, 'x'), value: 'é'.repeat(1024) }));
    expect((await call(api.base, 'PUT', `/v1_1/subscription/${id}/db`, { data }, token)).status).toBe(200);
  });

  it('answers 400 for a DELETE without keys', async () => {
    for (const body of [{}, { keys: [] }, { keys: [1] }]) {
      expect((await call(api.base, 'DELETE', `/v1_1/subscription/${id}/db`, body, token)).status).toBe(400);
    }
  });

  it("hides other gates' subscriptions (404) and unknown ones", async () => {
    const otherToken = await api.grant(OTHER);
    expect((await call(api.base, 'GET', `/v1_1/subscription/${id}/db`, undefined, otherToken)).status).toBe(404);
    expect(
      (await call(api.base, 'PUT', `/v1_1/subscription/${id}/db`, { data: [{ key: 'x', value: 1 }] }, otherToken))
        .status,
    ).toBe(404);
    expect((await call(api.base, 'GET', '/v1_1/subscription/sub_unknown/db', undefined, token)).body.errorMessage).toBe(
      'SUBSCRIPTION_NOT_FOUND',
    );
    expect(api.emu.db(id)).toEqual({ alreadySubscribed: false });
  });
});
