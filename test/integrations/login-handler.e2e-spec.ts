import { Controller, Get, Injectable, Module, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import session from 'express-session';
import type { LogupEmulator } from 'logup-emulator';
import {
  LOGUP_LOGIN_HANDLER,
  LogupGuard,
  LogupModule,
  LogupUser,
  type LogupLoginHandler,
  type LogupSubscription,
  type LogupVerifiedSubscription,
} from 'nestjs-logup';
import { Visitor } from '../support/browserless.js';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE, email, emulator } from '../support/logup-fixture.js';

interface User {
  id: number;
  idSubscription: string;
  createdAtLogin: boolean;
}

/** The app's users table, in memory for the test. */
@Injectable()
class UsersLoginHandler implements LogupLoginHandler<User> {
  readonly users = new Map<string, User>();
  failNext = false;

  onLogin({ subscription, isNewUser }: { subscription: LogupVerifiedSubscription; isNewUser: boolean }): User {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('the users table is down');
    }
    const existing = this.users.get(subscription.idSubscription);
    if (existing && !isNewUser) return { ...existing, createdAtLogin: false };
    const user = { id: this.users.size + 1, idSubscription: subscription.idSubscription, createdAtLogin: true };
    this.users.set(subscription.idSubscription, user);
    return user;
  }

  onRequest(subscription: LogupSubscription): User | undefined {
    return this.users.get(subscription.idSubscription);
  }
}

@Controller()
@UseGuards(LogupGuard)
class AccountController {
  @Get('logup/callback')
  callback(@LogupUser() user: User) {
    return user;
  }

  @Get('me')
  me(@LogupUser() user: User) {
    return user;
  }
}

describe('a LogupLoginHandler links LogUp visitors to the app user', () => {
  let emu: LogupEmulator;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    emu = await emulator();
    @Module({
      imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, loginBinding: 'off' })],
      controllers: [AccountController],
      providers: [UsersLoginHandler, { provide: LOGUP_LOGIN_HANDLER, useExisting: UsersLoginHandler }],
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
    app.get(UsersLoginHandler).failNext = true;
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
