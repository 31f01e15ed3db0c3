// The emulator's verification endpoint as LOGUP-API.md describes it.
import { LogupEmulator } from 'logup-emulator';
import { GATE, OTHER, call, grantFrom, onEmulator, verification, withApiEmulator } from './api-client.js';

const api = withApiEmulator();

describe('POST /verification: once, within its lifetime, on its gate', () => {
  it('verifies once, with idActor, idSubscription and db; then INVALID_LOGUP_TOKEN', async () => {
    const token = await api.grant();
    const login = api.emu.login({ idGate: GATE.idGate, email: 'ver@example.com', db: { keyName: true } });
    expect(login.logupToken).toMatch(/^[A-Za-z0-9]{128}$/);
    const first = await verification(api.base, login.logupToken, token);
    expect(first).toMatchObject({
      status: 201,
      body: { verified: true, idActor: login.idActor, idSubscription: login.idSubscription, db: { keyName: true } },
    });
    const second = await verification(api.base, login.logupToken, token);
    expect(second).toMatchObject({ status: 201, body: { verified: false, errorMessage: 'INVALID_LOGUP_TOKEN' } });
  });

  it('lets logupTokens expire', async () => {
    await onEmulator({ logupTokenTtlSeconds: 0.2 }, async (shortLived) => {
      const login = shortLived.login({ idGate: GATE.idGate, email: 'late@example.com' });
      await new Promise((r) => setTimeout(r, 300));
      const { access_token } = await grantFrom(shortLived.url);
      const res = await verification(shortLived.url, login.logupToken, access_token);
      expect(res.body).toEqual({ verified: false, errorMessage: 'INVALID_LOGUP_TOKEN' });
    });
  });

  it('binds logupTokens to their gate', async () => {
    const login = api.emu.login({ idGate: GATE.idGate, email: 'bound@example.com' });
    const res = await verification(api.base, login.logupToken, await api.grant(OTHER));
    expect(res.body).toEqual({ verified: false, errorMessage: 'INVALID_LOGUP_TOKEN' });
    // ...and the failed attempt from the other gate did not consume it.
    const own = await verification(api.base, login.logupToken, await api.grant());
    expect(own.body.verified).toBe(true);
  });
});

describe('POST /verification: access tokens, answer status and bad bodies', () => {
  it.each([
    [undefined, 'MISSING_ACCESS_TOKEN'],
    ['made-up-token', 'INVALID_ACCESS_TOKEN'],
  ])('needs a valid access token (%s -> %s)', async (token, errorMessage) => {
    const res = await call(api.base, 'POST', '/v1_1/verification', { logupToken: 'x' }, token);
    expect(res).toMatchObject({ status: 401, body: { errorMessage } });
  });

  it('answers 200 instead when started with verificationStatus: 200', async () => {
    await onEmulator({ verificationStatus: 200 }, async (answers200) => {
      const login = answers200.login({ idGate: GATE.idGate, email: 'two-hundred@example.com' });
      const { access_token } = await grantFrom(answers200.url);
      const first = await verification(answers200.url, login.logupToken, access_token);
      expect(first).toMatchObject({ status: 200, body: { verified: true, idSubscription: login.idSubscription } });
      const again = await verification(answers200.url, login.logupToken, access_token);
      expect(again).toMatchObject({ status: 200, body: { verified: false, errorMessage: 'INVALID_LOGUP_TOKEN' } });
    });
  });

  it('refuses a verificationStatus other than 200 or 201', () => {
    expect(() => new LogupEmulator({ gates: [GATE], verificationStatus: 204 as 200 })).toThrow(/200 or 201/);
  });

  it('answers 400 to a body without logupToken', async () => {
    const res = await call(api.base, 'POST', '/v1_1/verification', { token: 'x' }, await api.grant());
    expect(res).toMatchObject({ status: 400, body: { errorMessage: 'INVALID_REQUEST' } });
  });
});
