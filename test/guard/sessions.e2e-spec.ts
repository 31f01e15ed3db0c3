import type { INestApplication } from '@nestjs/common';
import type { LogupEmulator } from 'logup-emulator';
import type { LogupModuleOptions } from 'nestjs-logup';
import { Visitor } from '../support/browserless.js';
import { onControlledClock } from '../support/fake-date.js';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE, email, emulator } from '../support/logup-fixture.js';
import { withEmulatorApp } from '../support/nest-app.js';
import { sessionApp, type SessionKind } from './session-app.js';

/** Registers hooks that start an emulator and close it, and every app the tests pushed, afterwards. */
function withEmulatorAndApps(): { emu: LogupEmulator; apps: INestApplication[] } {
  const ctx = { apps: [] as INestApplication[] } as { emu: LogupEmulator; apps: INestApplication[] };
  beforeAll(async () => {
    ctx.emu = await emulator();
  });
  afterAll(async () => {
    for (const app of ctx.apps) await app.close();
    await ctx.emu?.stop();
  });
  return ctx;
}

/** A second visitor holding a copy of this one's cookies (a captured cookie). */
const SESSION_KINDS: SessionKind[] = ['express-session', 'fastify-secure-session'];
const callback = (visitor: Visitor, logupToken: string, extra = '') =>
  visitor.get(`/logup/callback?logupToken=${logupToken}&isNewUser=false${extra}`, false);

const copyOf = (visitor: Visitor, base: string) => new Visitor(base).setCookieHeader(visitor.cookieHeader());

describe.each(SESSION_KINDS)(
  "logins with %s under loginBinding 'pending' (the default) and a custom sessionKey",
  (kind) => {
    const ctx = withEmulatorApp((emu) => sessionApp(emu, kind, { sessionKey: 'auth' }));
    const newLogin = () => ctx.emu.login({ idGate: GATE.idGate, email: email() });

    it('logs in a browser that started the login, and keeps it logged in from the session', async () => {
      const visitor = new Visitor(ctx.url);
      expect((await visitor.get('/logup/login', false)).status).toBe(200);
      const login = newLogin();
      const res = await callback(visitor, login.logupToken);
      expect(res.status).toBe(200);
      ctx.emu.resetStats();
      const me = await visitor.get('/me', false);
      expect(me.status).toBe(200);
      expect(JSON.parse(me.body)).toEqual({
        idSubscription: login.idSubscription,
        idActor: login.idActor,
        isNewUser: false,
      });
      expect(ctx.emu.stats().verifications).toBe(0);
    });

    it('refuses a callback this browser did not start, before asking LogUp, and logs no one in', async () => {
      const visitor = new Visitor(ctx.url);
      await visitor.get('/visit', false);
      ctx.emu.resetStats();
      const res = await callback(visitor, newLogin().logupToken);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).message).toMatch(/not started from this browser/);
      expect(ctx.emu.stats().verifications).toBe(0);
      expect((await visitor.get('/me', false)).status).toBe(401);
    });

    it('lets a started login serve one callback only', async () => {
      const visitor = new Visitor(ctx.url);
      await visitor.get('/logup/login', false);
      expect((await callback(visitor, newLogin().logupToken)).status).toBe(200);
      expect((await callback(visitor, newLogin().logupToken)).status).toBe(400);
    });
  },
);

describe.each(SESSION_KINDS)('logins with %s: no switching accounts, and logout (a custom sessionKey)', (kind) => {
  const ctx = withEmulatorApp((emu) => sessionApp(emu, kind, { sessionKey: 'auth' }));
  const newLogin = () => ctx.emu.login({ idGate: GATE.idGate, email: email() });

  it('never switches a logged-in browser to another subscription (login CSRF): 409, session unchanged', async () => {
    const victim = new Visitor(ctx.url);
    await victim.get('/logup/login', false);
    const own = newLogin();
    expect((await callback(victim, own.logupToken)).status).toBe(200);
    // The attacker's token reaches the victim's browser, even after the victim started a login.
    await victim.get('/logup/login', false);
    const attacker = newLogin();
    const res = await callback(victim, attacker.logupToken);
    expect(res.status).toBe(409);
    expect(JSON.parse(res.body).message).toMatch(/Log out first/);
    expect(JSON.parse((await victim.get('/me', false)).body).idSubscription).toBe(own.idSubscription);
  });

  it('logs out with the configured sessionKey, and a cookie copied before logout stops working', async () => {
    const visitor = new Visitor(ctx.url);
    await visitor.get('/logup/login', false);
    expect((await callback(visitor, newLogin().logupToken)).status).toBe(200);
    const captured = copyOf(visitor, ctx.url);
    expect((await captured.get('/me', false)).status).toBe(200);
    const out = await visitor.request('POST', '/logout', { html: false });
    expect(JSON.parse(out.body)).toEqual({ ended: true });
    expect((await visitor.get('/me', false)).status).toBe(401);
    expect((await captured.get('/me', false)).status).toBe(401);
  });
});

describe.each(SESSION_KINDS)('logins with %s: the nonce, and expiry on the server', (kind) => {
  const ctx = withEmulatorAndApps();

  async function start(options: Partial<LogupModuleOptions> = {}, logger?: CaptureLogger) {
    const { app, url: base } = await sessionApp(ctx.emu, kind, options, logger);
    ctx.apps.push(app);
    return base;
  }
  const newLogin = () => ctx.emu.login({ idGate: GATE.idGate, email: email() });

  it("checks the nonce in 'nonce' mode", async () => {
    const base = await start({ loginBinding: 'nonce' });
    const visitor = new Visitor(base);
    const { nonce } = JSON.parse((await visitor.get('/logup/login', false)).body) as { nonce: string };
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect((await callback(visitor, newLogin().logupToken, '&logupNonce=wrong')).status).toBe(400);
    const again = JSON.parse((await visitor.get('/logup/login', false)).body) as { nonce: string };
    expect((await callback(visitor, newLogin().logupToken, `&logupNonce=${again.nonce}`)).status).toBe(200);
  });

  it('expires a pending login, and a login, on the server whatever the cookie says', async () => {
    const base = await start({ pendingLoginTtlSeconds: 60, sessionMaxAgeSeconds: 600 });
    await onControlledClock(async (advance) => {
      const late = new Visitor(base);
      await late.get('/logup/login', false);
      advance(60_000 + 1);
      ctx.emu.resetStats();
      expect((await callback(late, newLogin().logupToken)).status).toBe(400);
      expect(ctx.emu.stats().verifications).toBe(0);
      const visitor = new Visitor(base);
      await visitor.get('/logup/login', false);
      advance(59_000);
      expect((await callback(visitor, newLogin().logupToken)).status).toBe(200);
      advance(600_000 - 1000);
      expect((await visitor.get('/me', false)).status).toBe(200);
      advance(1001);
      expect((await visitor.get('/me', false)).status).toBe(401);
    });
  });
});

describe('express-session specifics', () => {
  const ctx = withEmulatorApp((emu) => sessionApp(emu, 'express-session'));

  it('gives the visitor a new session id at login (no fixation)', async () => {
    const visitor = new Visitor(ctx.url);
    const before = (await visitor.get('/logup/login', false)).setCookies.find((c) => c.startsWith('sid='));
    expect(before).toBeDefined();
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email() });
    const first = await visitor.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=false`, false);
    expect(first.status).toBe(200);
    const after = first.setCookies.find((c) => c.startsWith('sid='));
    expect(after).toBeDefined();
    expect(after!.split(';')[0]).not.toBe(before!.split(';')[0]);
  });
});

describe('without a session middleware', () => {
  const ctx = withEmulatorAndApps();

  it('refuses a bound login and says why in the log', async () => {
    const lines: string[] = [];
    const { app, url: base } = await sessionApp(ctx.emu, 'none', {}, new CaptureLogger((line) => lines.push(line)));
    ctx.apps.push(app);
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email() });
    const res = await new Visitor(base).get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=true`, false);
    expect(res.status).toBe(400);
    expect(lines.join('\n')).toContain('the request has no session');
  });

  it("with loginBinding 'off', logs the visitor in for that request and warns once that they will not stay logged in", async () => {
    const lines: string[] = [];
    const { app, url: base } = await sessionApp(
      ctx.emu,
      'none',
      { loginBinding: 'off' },
      new CaptureLogger((l) => lines.push(l)),
    );
    ctx.apps.push(app);
    for (let i = 0; i < 2; i++) {
      const login = ctx.emu.login({ idGate: GATE.idGate, email: email() });
      const res = await new Visitor(base).get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=true`, false);
      expect(res.status).toBe(200);
    }
    const warnings = lines.filter((line) => line.includes('the visitor will not stay logged in'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('express-session');
  });
});
