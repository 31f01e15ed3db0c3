// The emulator's token endpoint as LOGUP-API.md describes it.
import { GATE, call, grantFrom, onEmulator, verification, withApiEmulator } from './api-client.js';

describe('POST /oauth/token', () => {
  const api = withApiEmulator();

  it('grants a Bearer token with 201 and expires_in', async () => {
    const res = await call(api.base, 'POST', '/v1_1/oauth/token', {
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
    const res = await call(api.base, 'POST', '/v1_1/oauth/token', body);
    expect(res.status).toBe(status);
    expect(res.body.errorMessage).toBe(errorMessage);
  });

  it('serves only known versions', async () => {
    expect((await call(api.base, 'POST', '/v9_9/oauth/token', {})).status).toBe(404);
    expect((await call(api.base, 'POST', '/1_1/oauth/token', {})).body.errorMessage).toBe('UNKNOWN_API_VERSION');
  });

  it('lets access tokens expire (401 EXPIRED_ACCESS_TOKEN)', async () => {
    await onEmulator({ accessTokenTtlSeconds: 0.2 }, async (shortLived) => {
      const granted = await grantFrom(shortLived.url);
      expect(granted.expires_in).toBe(0.2);
      await new Promise((r) => setTimeout(r, 300));
      const res = await verification(shortLived.url, 'x', granted.access_token);
      expect(res).toMatchObject({ status: 401, body: { errorMessage: 'EXPIRED_ACCESS_TOKEN' } });
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    });
  });
});
