import { Visitor } from '../support/browserless.js';
import { GATE, email } from '../support/logup-fixture.js';
import { AuthModule } from '../../examples/passport/auth.module.js';
import { withPassportApp } from './passport-app.js';

// AuthGuard("logup") with a LogupStrategy subclass and passport sessions: one app for the file.
const ctx = withPassportApp(AuthModule);

const newLogin = (db?: Record<string, string | boolean>) =>
  ctx.emu.login({ idGate: GATE.idGate, email: email('passport'), db });
const callback = (visitor: Visitor, query: string) => visitor.get(`/logup/callback?${query}`, false);
const json = (body: string) => JSON.parse(body) as Record<string, unknown>;

async function loggedIn(db?: Record<string, string | boolean>) {
  const visitor = new Visitor(ctx.url);
  const started = await visitor.request('POST', '/logup/login', { html: false });
  expect(started.status).toBe(303);
  expect(started.location).toBe('https://logup.example/login');
  const login = newLogin(db);
  const res = await callback(visitor, `logupToken=${login.logupToken}&isNewUser=true`);
  return { visitor, login, res };
}

describe("AuthGuard('logup') with a LogupStrategy subclass: logging in", () => {
  it('verifies a started login, makes request.user what validate() returns, and keeps it in the passport session', async () => {
    const { visitor, login, res } = await loggedIn({ nickname: 'Ada' });
    expect(res.status).toBe(200);
    const user = { idSubscription: login.idSubscription, nickname: 'Ada', firstLogin: true };
    expect(json(res.body)).toEqual({ user });
    ctx.emu.resetStats();
    const me = await visitor.get('/me', false);
    expect(me.status).toBe(200);
    expect(json(me.body)).toEqual({ user });
    expect(ctx.emu.stats().verifications).toBe(0);
  });

  it('refuses a callback this browser did not start (400) before asking LogUp, and logs no one in', async () => {
    const visitor = new Visitor(ctx.url);
    ctx.emu.resetStats();
    const res = await callback(visitor, `logupToken=${newLogin().logupToken}&isNewUser=false`);
    expect(res.status).toBe(400);
    expect(json(res.body).message).toMatch(/not started from this browser/);
    expect(ctx.emu.stats().verifications).toBe(0);
    expect((await visitor.get('/me', false)).status).toBe(401);
  });

  it('lets a started login serve one callback only', async () => {
    const { visitor, res } = await loggedIn();
    expect(res.status).toBe(200);
    await visitor.request('POST', '/logout', { html: false });
    const again = await callback(visitor, `logupToken=${newLogin().logupToken}&isNewUser=false`);
    expect(again.status).toBe(400);
  });
});

describe("AuthGuard('logup') with a LogupStrategy subclass: refused callbacks", () => {
  it("answers 401 with LogUp's reason for a token LogUp does not verify", async () => {
    const visitor = new Visitor(ctx.url);
    await visitor.request('POST', '/logup/login', { html: false });
    const res = await callback(visitor, `logupToken=${'x'.repeat(40)}&isNewUser=false`);
    expect(res.status).toBe(401);
    expect(json(res.body)).toMatchObject({ statusCode: 401, message: expect.stringMatching(/did not verify/) });
    expect((await visitor.get('/me', false)).status).toBe(401);
  });

  it('answers 400 naming the parameters of a malformed callback, without asking LogUp', async () => {
    const visitor = new Visitor(ctx.url);
    await visitor.request('POST', '/logup/login', { html: false });
    ctx.emu.resetStats();
    const res = await callback(visitor, 'logupToken=short&isNewUser=maybe');
    expect(res.status).toBe(400);
    expect(json(res.body).message).toEqual([
      'logupToken must be 16 to 2048 characters long',
      'isNewUser must be exactly "true" or "false"',
    ]);
    expect(ctx.emu.stats().verifications).toBe(0);
  });

  it('answers 401 to a callback without a logupToken', async () => {
    const visitor = new Visitor(ctx.url);
    await visitor.request('POST', '/logup/login', { html: false });
    expect((await callback(visitor, 'isNewUser=false')).status).toBe(401);
  });
});

describe("AuthGuard('logup') with a LogupStrategy subclass: validate(), switching accounts and logout", () => {
  it('refuses the login when validate() returns null (401)', async () => {
    const { visitor, res } = await loggedIn({ banned: true });
    expect(res.status).toBe(401);
    expect((await visitor.get('/me', false)).status).toBe(401);
  });

  it('never switches a logged-in browser to another subscription: 409, still the first visitor', async () => {
    const { visitor, login } = await loggedIn({ nickname: 'Grace' });
    await visitor.request('POST', '/logup/login', { html: false });
    const res = await callback(visitor, `logupToken=${newLogin().logupToken}&isNewUser=false`);
    expect(res.status).toBe(409);
    expect(json(res.body).message).toMatch(/Log out first/);
    const me = json((await visitor.get('/me', false)).body) as { user: { idSubscription: string } };
    expect(me.user.idSubscription).toBe(login.idSubscription);
  });

  it('logs out through passport', async () => {
    const { visitor } = await loggedIn();
    expect((await visitor.request('POST', '/logout', { html: false })).status).toBe(204);
    expect((await visitor.get('/me', false)).status).toBe(401);
  });
});
