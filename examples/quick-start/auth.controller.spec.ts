import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import session from 'express-session';
import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { LogupGuard, LogupModule } from 'nestjs-logup';
import { LogupTestGuard, createTestSubscription } from 'nestjs-logup/testing';
import { AuthController } from './auth.controller.js';

/**
 * A browser logs in to the app at `url` through LogUp as a visitor whose DB holds
 * `{ visits: 1 }`; returns its session cookie and the visitor's idSubscription.
 */
async function logIn(url: string, emulator: LogupEmulator) {
  // The browser starts the login with the site's own form: the answer sends it to
  // LogUp and sets a session cookie.
  const start = await fetch(`${url}/logup/login`, { method: 'POST', redirect: 'manual' });
  expect(start.status).toBe(303);
  const cookie = start.headers.get('set-cookie')!.split(';')[0];

  // The visitor logs in on LogUp, which sends the browser back with a fresh logupToken.
  const { logupToken, idSubscription } = emulator.login({
    idGate: 'gate_test',
    email: 'ada@example.com',
    db: { visits: 1 },
  });
  const callback = await fetch(`${url}/logup/callback?logupToken=${logupToken}&isNewUser=false`, {
    headers: { cookie },
    redirect: 'manual',
  });
  expect(callback.status).toBe(303);
  const loggedIn = callback.headers.get('set-cookie')!.split(';')[0]; // a new session id after login
  return { cookie: loggedIn, idSubscription };
}

describe('AuthController against the LogUp emulator', () => {
  let emulator: LogupEmulator;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, gates: { gate_test: 'secret_test' } });
    process.env.LOGUP_LOGIN_URL = `${emulator.url}/login`;
    const moduleRef = await Test.createTestingModule({
      imports: [LogupModule.forRoot({ idGate: 'gate_test', secret: 'secret_test', baseUrl: emulator.url })],
      controllers: [AuthController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: false }));
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterAll(async () => {
    await app.close();
    await emulator.stop();
  });

  it('logs a visitor in through LogUp, shows their DB, and logs them out', async () => {
    const { cookie, idSubscription } = await logIn(url, emulator);
    const me = await fetch(`${url}/me`, { headers: { cookie } });
    expect(await me.json()).toEqual({ idSubscription, db: { visits: 2 } });

    await fetch(`${url}/logout`, { method: 'POST', headers: { cookie } });
    expect((await fetch(`${url}/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('refuses a login start from another site (403)', async () => {
    const res = await fetch(`${url}/logup/login`, {
      method: 'POST',
      headers: { origin: 'https://attacker.example' },
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
  });

  it('refuses a callback that this browser did not start', async () => {
    const { logupToken } = emulator.login({ idGate: 'gate_test', email: 'bob@example.com' });
    const res = await fetch(`${url}/logup/callback?logupToken=${logupToken}&isNewUser=true`, { redirect: 'manual' });
    expect(res.status).toBe(400);
  });
});

describe('AuthController without any server', () => {
  it('uses an in-memory subscription in place of LogupGuard', async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [AuthController] })
      .useMocker(() => ({})) // LogupService: not used by GET /me
      .overrideGuard(LogupGuard)
      .useValue(new LogupTestGuard(createTestSubscription({ idSubscription: 'sub_1', db: { visits: 7 } })))
      .compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const res = await fetch(`${await app.getUrl()}/me`);
    expect(await res.json()).toEqual({ idSubscription: 'sub_1', db: { visits: 8 } });
    await app.close();
  });
});
