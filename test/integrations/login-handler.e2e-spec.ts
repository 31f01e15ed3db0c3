import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import session from 'express-session';
import type { LogupEmulator } from 'logup-emulator';
import { LogupModule } from 'nestjs-logup';
import { Visitor } from '../support/browserless.js';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE, email, emulator } from '../support/logup-fixture.js';
import { AccountModule } from '../../examples/linking-users/account.module.js';
import { UsersLoginHandler } from '../../examples/linking-users/users.login-handler.js';

describe('a LogupLoginHandler links LogUp visitors to the app user', () => {
  let emu: LogupEmulator;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    emu = await emulator();
    @Module({
      imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, loginBinding: 'off', isGlobal: true }), AccountModule],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: new CaptureLogger() });
    app.use(session({ secret: 'handler-session-secret', resave: false, saveUninitialized: true }));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await emu?.stop();
  });

  it('creates the user on a first login, loads them later, and puts them beside the subscription', async () => {
    const address = email('handler');
    const login = emu.login({ idGate: GATE.idGate, email: address });
    const visitor = new Visitor(base);
    const first = await visitor.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=true`, false);
    expect(JSON.parse(first.body)).toEqual({ id: 1, idSubscription: login.idSubscription, createdAtLogin: true });
    expect(JSON.parse((await visitor.get('/me', false)).body)).toMatchObject({ id: 1 });
    const again = emu.login({ idGate: GATE.idGate, email: address });
    expect(again.idSubscription).toBe(login.idSubscription);
    const second = await new Visitor(base).get(`/logup/callback?logupToken=${again.logupToken}&isNewUser=false`, false);
    expect(JSON.parse(second.body)).toEqual({ id: 1, idSubscription: login.idSubscription, createdAtLogin: false });
  });

  it('when the handler throws: a clear error, and no half-logged-in session', async () => {
    // The users table fails once: the handler throws.
    const handler = app.get(UsersLoginHandler);
    const onLogin = handler.onLogin.bind(handler);
    handler.onLogin = () => {
      handler.onLogin = onLogin;
      throw new Error('the users table is down');
    };
    const login = emu.login({ idGate: GATE.idGate, email: email('handler') });
    const visitor = new Visitor(base);
    const res = await visitor.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=true`, false);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body).message).toBe(
      'Logging in failed: this site could not set up your account. Please try again.',
    );
    expect((await visitor.get('/me', false)).status).toBe(401);
  });
});
