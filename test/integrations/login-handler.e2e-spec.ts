import { Module } from '@nestjs/common';
import { LogupModule } from 'nestjs-logup';
import { Visitor } from '../support/browserless.js';
import { GATE, email } from '../support/logup-fixture.js';
import { startNestApp, withEmulatorApp } from '../support/nest-app.js';
import { useExpressSession } from '../support/sessions.js';
import { AccountModule } from '../../examples/linking-users/account.module.js';
import { UsersLoginHandler } from '../../examples/linking-users/users.login-handler.js';

describe('a LogupLoginHandler links LogUp visitors to the app user', () => {
  const ctx = withEmulatorApp((emu) => {
    @Module({
      imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, loginBinding: 'off', isGlobal: true }), AccountModule],
    })
    class AppModule {}
    return startNestApp(AppModule, { setup: (app) => useExpressSession(app, { saveUninitialized: true }) });
  });

  it('creates the user on a first login, loads them later, and puts them beside the subscription', async () => {
    const address = email('handler');
    const login = ctx.emu.login({ idGate: GATE.idGate, email: address });
    const visitor = new Visitor(ctx.url);
    const first = await visitor.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=true`, false);
    expect(JSON.parse(first.body)).toEqual({ id: 1, idSubscription: login.idSubscription, createdAtLogin: true });
    expect(JSON.parse((await visitor.get('/me', false)).body)).toMatchObject({ id: 1 });
    const again = ctx.emu.login({ idGate: GATE.idGate, email: address });
    expect(again.idSubscription).toBe(login.idSubscription);
    const second = await new Visitor(ctx.url).get(
      `/logup/callback?logupToken=${again.logupToken}&isNewUser=false`,
      false,
    );
    expect(JSON.parse(second.body)).toEqual({ id: 1, idSubscription: login.idSubscription, createdAtLogin: false });
  });

  it('when the handler throws: a clear error, and no half-logged-in session', async () => {
    // The users table fails once: the handler throws.
    const handler = ctx.app.get(UsersLoginHandler);
    const onLogin = handler.onLogin.bind(handler);
    handler.onLogin = () => {
      handler.onLogin = onLogin;
      throw new Error('the users table is down');
    };
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email('handler') });
    const visitor = new Visitor(ctx.url);
    const res = await visitor.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=true`, false);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body).message).toBe(
      'Logging in failed: this site could not set up your account. Please try again.',
    );
    expect((await visitor.get('/me', false)).status).toBe(401);
  });
});
