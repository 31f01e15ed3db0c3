// The README's Passport files (auth.module.ts and what it imports) in an app that
// uses only the published packages: run here, and by both consumer apps from the
// packed tarballs (Nest 11 with @nestjs/passport 11, Nest 12 with @nestjs/passport 12).
import { Test } from '@nestjs/testing';
import passport from 'passport';
import type { LogupEmulator } from 'logup-emulator';
import { LogupModule } from 'nestjs-logup';
import { browser, startEmulatedApp, type EmulatedApp } from '../support/emulated-app.js';
import { AuthModule } from './auth.module.js';

const GATE = { idGate: 'gate_passport', secret: 'passport-secret-value' };

/** The README's AuthModule with LogupModule, against the emulator. */
async function createApp(emulator: LogupEmulator) {
  process.env.LOGUP_LOGIN_URL = `${emulator.url}/login`;
  const moduleRef = await Test.createTestingModule({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emulator.url, isGlobal: true }), AuthModule],
  }).compile();
  return moduleRef.createNestApplication({ logger: false });
}

describe("AuthGuard('logup') with a LogupStrategy and passport sessions", () => {
  let ctx: EmulatedApp;

  beforeAll(async () => {
    ctx = await startEmulatedApp(
      { [GATE.idGate]: GATE.secret },
      createApp,
      passport.initialize(), // after express-session, as in main.ts
      passport.session(),
    );
  });
  afterAll(() => ctx?.close());

  it('logs in through the strategy, keeps the app user in the passport session, and logs out', async () => {
    const get = browser(ctx.url);
    const start = await get('/logup/login', { method: 'POST' });
    expect(start.status).toBe(303);
    expect(start.headers.get('location')).toBe(`${ctx.emulator.url}/login`);

    const login = ctx.emulator.login({ idGate: GATE.idGate, email: 'ada@example.com', db: { nickname: 'Ada' } });
    const callback = await get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=true`);
    expect(callback.status).toBe(200);
    const user = { idSubscription: login.idSubscription, nickname: 'Ada', firstLogin: true };
    expect(await callback.json()).toEqual({ user });

    const verifications = ctx.emulator.stats().verifications;
    const me = await get('/me');
    expect(await me.json()).toEqual({ user });
    expect(ctx.emulator.stats().verifications).toBe(verifications); // from the session, not LogUp

    expect((await get('/logout', { method: 'POST' })).status).toBe(204);
    expect((await get('/me')).status).toBe(401);
  });

  it('refuses a callback this browser did not start (400), and a login validate() refuses (401)', async () => {
    const get = browser(ctx.url);
    const stranger = ctx.emulator.login({ idGate: GATE.idGate, email: 'mallory@example.com' });
    expect((await get(`/logup/callback?logupToken=${stranger.logupToken}&isNewUser=false`)).status).toBe(400);

    await get('/logup/login', { method: 'POST' });
    const banned = ctx.emulator.login({ idGate: GATE.idGate, email: 'eve@example.com', db: { banned: true } });
    expect((await get(`/logup/callback?logupToken=${banned.logupToken}&isNewUser=false`)).status).toBe(401);
    expect((await get('/me')).status).toBe(401);
  });
});
