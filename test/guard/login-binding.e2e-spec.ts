// Logins only their own browser can start and finish: startLogin() refuses other
// sites, a pending login serves one callback on the server (replayed cookies and
// racing callbacks included), a callback sent by another site's page is refused, and
// the same callback repeated by the browser that made it answers as the first did.
import { request as httpRequest } from 'node:http';
import type { LogupEmulator } from 'logup-emulator';
import { Visitor } from '../support/browserless.js';
import type { LogupModuleOptions } from 'nestjs-logup';
import { GATE, email, emulator } from '../support/logup-fixture.js';
import type { RunningApp } from '../support/nest-app.js';
import { sessionApp, type SessionKind } from './session-app.js';

let emu: LogupEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(() => emu?.stop());

const STORES: SessionKind[] = ['express-session', 'cookie-session', 'fastify-secure-session'];
const callbackOf = (token: string) => `/logup/callback?logupToken=${token}&isNewUser=false`;
const newLogin = () => emu.login({ idGate: GATE.idGate, email: email('binding') });

const TRUSTED = { trustedOrigins: ['https://www.example.com'] };

/** Registers hooks that start a session app on `kind` for the block, and close it. */
function withSessionApp(kind: SessionKind, options: Partial<LogupModuleOptions>): RunningApp {
  const app = {} as RunningApp;
  beforeAll(async () => Object.assign(app, await sessionApp(emu, kind, options)));
  afterAll(() => app.close?.());
  return app;
}

/** A visitor who started a login on `app`, with the cookie they held right after. */
async function started(app: RunningApp, headers: Record<string, string> = {}) {
  const visitor = new Visitor(app.url);
  const start = await visitor.request('GET', '/logup/login', { html: false, headers });
  return { visitor, start, preLogin: visitor.cookieHeader() };
}

describe.each(STORES)('login binding on %s: who may start a login', (kind) => {
  const app = withSessionApp(kind, TRUSTED);

  describe('startLogin() refuses a login another site initiated', () => {
    it.each([
      ['a cross-site navigation (popup, link)', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }],
      ['a sibling subdomain', { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'navigate' }],
      ['a form on another origin', { origin: 'https://attacker.example' }],
      ['an opaque origin (sandboxed frame)', { origin: 'null' }],
      ['an opaque origin from another site', { origin: 'null', 'sec-fetch-site': 'cross-site' }],
    ])('%s: 403, nothing started', async (_what, headers) => {
      const { visitor, start } = await started(app, headers);
      expect(start.status).toBe(403);
      expect(JSON.parse(start.body).message).toBe(
        'A login can only be started from this site. Use its own Log in button.',
      );
      emu.resetStats();
      expect((await visitor.get(callbackOf(newLogin().logupToken), false)).status).toBe(400);
      expect(emu.stats().verifications).toBe(0);
    });

    it.each([
      ['its own form (same Origin)', (host: string) => ({ origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })],
      ['a typed or bookmarked address', () => ({ 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' })],
      [
        'its own form under Referrer-Policy: no-referrer (Origin: null)',
        () => ({ origin: 'null', 'sec-fetch-site': 'same-origin' }),
      ],
      ['a trusted origin', () => ({ origin: 'https://www.example.com', 'sec-fetch-site': 'cross-site' })],
    ])('accepts %s', async (_what, headersFor) => {
      const { visitor, start } = await started(app, headersFor(new URL(app.url).host));
      expect(start.status).toBe(200);
      expect((await visitor.get(callbackOf(newLogin().logupToken), false)).status).toBe(200);
    });
  });
});

/** A pending login serves one callback: not a replay of its cookie, not both of two racing callbacks. */
function oneCallbackTests(app: RunningApp): void {
  it('lets one callback use a pending login: a replayed pre-login cookie with another token is refused', async () => {
    const { visitor, preLogin } = await started(app);
    const first = newLogin();
    expect((await visitor.get(callbackOf(first.logupToken), false)).status).toBe(200);
    emu.resetStats();
    const replay = new Visitor(app.url).setCookieHeader(preLogin);
    expect((await replay.get(callbackOf(newLogin().logupToken), false)).status).toBe(400);
    expect((await replay.get('/me', false)).status).toBe(401);
    expect(emu.stats().verifications).toBe(0);
    expect(JSON.parse((await visitor.get('/me', false)).body).idSubscription).toBe(first.idSubscription);
  });

  it('lets only one of two racing callbacks of different accounts use the pending login', async () => {
    const { preLogin } = await started(app);
    emu.resetStats();
    const [a, b] = await Promise.all(
      [newLogin(), newLogin()].map((login) =>
        new Visitor(app.url).setCookieHeader(preLogin).get(callbackOf(login.logupToken), false),
      ),
    );
    expect([a.status, b.status].sort()).toEqual([200, 400]);
    expect(emu.stats().verifications).toBe(1);
  });
}

describe.each(STORES)('login binding on %s: one callback per pending login', (kind) => {
  const app = withSessionApp(kind, TRUSTED);

  oneCallbackTests(app);

  it("refuses a callback sent by another site's page, and accepts LogUp's, the app's own, or none", async () => {
    const attacker = await started(app);
    emu.resetStats();
    const forged = await attacker.visitor.request('GET', callbackOf(newLogin().logupToken), {
      html: false,
      headers: { referer: 'https://attacker.example/trap.html' },
    });
    expect(forged.status).toBe(400);
    expect(emu.stats().verifications).toBe(0);
    for (const referer of [`${emu.url}/login?gate=${GATE.idGate}`, `${app.url}/`, undefined]) {
      const { visitor } = await started(app);
      const res = await visitor.request('GET', callbackOf(newLogin().logupToken), {
        html: false,
        headers: referer ? { referer } : {},
      });
      expect(res.status).toBe(200);
    }
  });

  it('takes the callback route as the router matches it: a trailing slash or another letter case', async () => {
    // Express matches /logup/callback/ and /LOGUP/callback to the callback handler; Fastify
    // does not route them at all (404). Either way, never a 400 "not the callback route".
    for (const path of ['/logup/callback/', '/LOGUP/callback']) {
      const { visitor } = await started(app);
      const res = await visitor.get(`${path}?logupToken=${newLogin().logupToken}&isNewUser=false`, false);
      expect(res.status).toBe(kind === 'fastify-secure-session' ? 404 : 200);
    }
  });
});

/** The repeat answered as the first did, after `verifications` verifications in all, and the visitor is logged in. */
async function expectSameLogin(
  visitor: Visitor,
  login: { logupToken: string; idSubscription: string },
  verifications: number,
) {
  const repeat = await visitor.get(callbackOf(login.logupToken), false);
  expect(repeat.status).toBe(200);
  expect(JSON.parse(repeat.body)).toEqual({ idSubscription: login.idSubscription });
  expect(emu.stats().verifications).toBe(verifications);
  expect(JSON.parse((await visitor.get('/me', false)).body).idSubscription).toBe(login.idSubscription);
}

describe.each(STORES)('login binding on %s: the same callback twice', (kind) => {
  const app = withSessionApp(kind, TRUSTED);

  it('reloaded by the browser that logged in: the same login, no second verification', async () => {
    const { visitor } = await started(app);
    const login = newLogin();
    expect((await visitor.get(callbackOf(login.logupToken), false)).status).toBe(200);
    emu.resetStats();
    await expectSameLogin(visitor, login, 0);
  });

  it('repeated with the pre-login cookie (a cancelled first request): logged in once, and still logged in', async () => {
    const { visitor, preLogin } = await started(app);
    const login = newLogin();
    emu.resetStats();
    const first = await new Visitor(app.url).setCookieHeader(preLogin).get(callbackOf(login.logupToken), false);
    expect(first.status).toBe(200);
    await expectSameLogin(visitor, login, 1);
  });

  it('sent twice at once (a double click): both answer logged in, one verification', async () => {
    const { preLogin } = await started(app);
    const login = newLogin();
    emu.resetStats();
    const visitors = [new Visitor(app.url).setCookieHeader(preLogin), new Visitor(app.url).setCookieHeader(preLogin)];
    const answers = await Promise.all(visitors.map((v) => v.get(callbackOf(login.logupToken), false)));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(emu.stats().verifications).toBe(1);
    for (const visitor of visitors) {
      expect(JSON.parse((await visitor.get('/me', false)).body).idSubscription).toBe(login.idSubscription);
    }
  });

  it('never hands the login to a browser that did not start it, even with the token', async () => {
    const { visitor } = await started(app);
    const login = newLogin();
    expect((await visitor.get(callbackOf(login.logupToken), false)).status).toBe(200);
    const other = await started(app);
    expect((await other.visitor.get(callbackOf(login.logupToken), false)).status).toBe(401);
    expect((await other.visitor.get('/me', false)).status).toBe(401);
  });
});

describe("loginBinding 'off': which requests may spend a token", () => {
  const app = withSessionApp('express-session', { loginBinding: 'off' });

  it.each([
    ['a link checker (HEAD)', 'HEAD', { accept: '*/*' }],
    ['a link checker or crawler (GET, any type)', 'GET', { accept: '*/*' }],
    ['a prefetch', 'GET', { 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'cross-site', 'sec-purpose': 'prefetch' }],
    [
      "another site's script",
      'GET',
      { 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'cross-site', accept: 'application/json' },
    ],
  ])('refuses %s without spending the token', async (_what, method, headers) => {
    const login = newLogin();
    emu.resetStats();
    expect(await statusOf(method, `${app.url}${callbackOf(login.logupToken)}`, headers)).toBe(400);
    expect(emu.stats().verifications).toBe(0);
    const navigation = { 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'cross-site', accept: 'text/html' };
    expect(await statusOf('GET', `${app.url}${callbackOf(login.logupToken)}`, navigation)).toBe(200);
  });
});

/** One request with exactly these headers (fetch would replace Sec-Fetch-Mode with its own "cors"). */
function statusOf(method: string, url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
