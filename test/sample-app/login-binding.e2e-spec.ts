import { Visitor } from '../support/browserless.js';
import { callbackPathFor, logIn, startLogin, type RunningSample } from '../support/sample-app.js';
import { runningSample } from './sample-suite.js';

/**
 * Login CSRF (issue 9, item 1): a callback logs a browser in only if that browser
 * started the login; a token is verified on the callback only; a logged-in browser
 * is never switched to another account.
 */
describe.each(['express', 'fastify'] as const)('login binding on the embedded emulator, nonce mode (%s)', (adapter) => {
  const running = runningSample(adapter, { LOGUP_LOGIN_BINDING: 'nonce' });
  const suite: BindingSuite = {
    get sample() {
      return running.sample;
    },
    adapter,
    mint: (label, db) =>
      running.sample.emulator.login({
        idGate: 'gate_demo',
        email: `${label}-${adapter}-${Math.random()}@example.com`,
        db,
      }),
    verifications: async () => (await running.sample.emulator.stats()).verifications,
  };
  foreignCallbackTests(suite);
  pendingLoginTests(suite);
  accountSwitchTests(suite);
  tokenElsewhereTests(suite);
});

/** The running app, a LogUp login minted for a fresh address, and LogUp's verification count. */
interface BindingSuite {
  readonly sample: RunningSample;
  readonly adapter: 'express' | 'fastify';
  mint(label: string, db?: Record<string, string>): ReturnType<RunningSample['emulator']['login']>;
  verifications(): Promise<number>;
}

function foreignCallbackTests(suite: BindingSuite) {
  it('refuses a callback this browser did not start, with a clear page, logging no one in and asking LogUp nothing', async () => {
    const attacker = await suite.mint('attacker');
    const before = await suite.verifications();
    const visitor = new Visitor(suite.sample.url);
    const res = await visitor.get(`/logup/callback?logupToken=${attacker.logupToken}&isNewUser=false`);
    expect(res.status).toBe(400);
    expect(res.body).toContain('<h1>Login refused</h1>');
    expect(res.body).toContain('This login was not started from this browser');
    expect(res.body).toContain('Nobody was logged in by this link.');
    expect(res.body).not.toContain(attacker.logupToken);
    expect(await suite.verifications()).toBe(before);
    expect((await visitor.get('/me', false)).status).toBe(401);
  });

  it.each([
    ['no nonce', (path: string) => path.replace(/logupNonce=[^&]+&?/, '')],
    ['a wrong nonce', (path: string) => path.replace(/logupNonce=[^&]+/, 'logupNonce=AAAAAAAAAAAAAAAAAAAAAAAA')],
    ['a repeated nonce', (path: string) => path.replace(/(logupNonce=[^&]+)/, '$1&$1')],
  ])('refuses a callback with %s even after this browser started a login', async (_name, change) => {
    const attacker = await suite.mint('attacker');
    const visitor = new Visitor(suite.sample.url);
    const path = callbackPathFor(await startLogin(visitor), attacker.logupToken, false);
    const before = await suite.verifications();
    const res = await visitor.get(change(path), false);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).message).toMatch(/not started from this browser/);
    expect(await suite.verifications()).toBe(before);
    expect((await visitor.get('/me', false)).status).toBe(401);
  });
}

function pendingLoginTests(suite: BindingSuite) {
  it("refuses another browser's nonce, and a pending login serves one callback only", async () => {
    const attacker = new Visitor(suite.sample.url);
    const victim = new Visitor(suite.sample.url);
    const token = (await suite.mint('attacker')).logupToken;
    // The attacker starts a login in their own browser and hands the victim its callback URL.
    const attackersPath = callbackPathFor(await startLogin(attacker), token, false);
    await startLogin(victim);
    expect((await victim.get(attackersPath, false)).status).toBe(400);
    // The victim's own login is consumed by that refused attempt: its URL no longer works either.
    const own = await suite.mint('victim');
    const victimPage = await startLogin(victim);
    expect((await victim.get(callbackPathFor(victimPage, own.logupToken), false)).status).toBe(303);
    expect((await victim.get(callbackPathFor(victimPage, (await suite.mint('again')).logupToken), false)).status).toBe(
      400,
    );
  });

  it('lets no other site start a login: a cross-site POST /login is refused and stores nothing', async () => {
    // The home page's form carries no token (an anonymous view stores no session):
    // LogupService.startLogin refuses what a browser marks as sent by another site.
    for (const headers of <Record<string, string>[]>[
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://attacker.example' },
    ]) {
      const visitor = new Visitor(suite.sample.url);
      const res = await visitor.request('POST', '/login', { form: {}, html: false, headers });
      expect([headers, res.status]).toEqual([headers, 403]);
      expect(res.setCookies).toEqual([]);
    }
    const sameSite = await new Visitor(suite.sample.url).request('POST', '/login', {
      form: {},
      headers: { 'sec-fetch-site': 'same-origin', origin: suite.sample.url },
    });
    expect(sameSite.status).toBe(303);
  });
}

function accountSwitchTests(suite: BindingSuite) {
  it("keeps a logged-in victim in their own account: the attacker's callback is refused and saves land in the victim's DB", async () => {
    const victim = new Visitor(suite.sample.url);
    const own = await logIn(suite.sample, victim, {
      email: `victim-${suite.adapter}@example.com`,
      db: { owner: 'victim' },
    });
    const attacker = await suite.mint('attacker', { owner: 'attacker' });
    const res = await victim.get(`/logup/callback?logupToken=${attacker.logupToken}&isNewUser=false`);
    expect(res.status).toBe(400);
    const me = await victim.get('/me');
    expect(me.body).toContain(`<code id="idSubscription">${own.idSubscription}</code>`);
    const saved = await victim.post('/me/db', { _csrf: Visitor.csrfOf(me.body), key: 'card', value: '4111' });
    expect(saved.status).toBe(303);
    expect(await suite.sample.emulator.db(own.idSubscription)).toEqual({ owner: 'victim', card: '4111' });
    expect(await suite.sample.emulator.db(attacker.idSubscription)).toEqual({ owner: 'attacker' });
  });

  it('answers a logged-in browser that completes a login as another account with 409 and a log-out page', async () => {
    const visitor = new Visitor(suite.sample.url);
    const first = await logIn(suite.sample, visitor, { email: `first-${suite.adapter}@example.com` });
    // Logging in again as the same account is no switch.
    await logIn(suite.sample, visitor, { email: `first-${suite.adapter}@example.com` });
    const other = await suite.mint('other');
    const res = await visitor.get(callbackPathFor(await startLogin(visitor), other.logupToken, false));
    expect(res.status).toBe(409);
    expect(res.body).toContain('<h1>Already logged in</h1>');
    expect(res.body).toContain('Log out first');
    expect(res.body).toContain('id="logout-to-switch"');
    expect((await visitor.get('/me')).body).toContain(first.idSubscription);
    // The page's log-out button works.
    expect((await visitor.post('/logout', { _csrf: Visitor.csrfOf(res.body) })).location).toBe('/?notice=logged-out');
    expect((await visitor.get('/me', false)).status).toBe(401);
  });
}

function tokenElsewhereTests(suite: BindingSuite) {
  it('refuses a token sent to /me or POST /me/db (400), never verifying it, and logs where tokens go', async () => {
    const visitor = new Visitor(suite.sample.url);
    const own = await logIn(suite.sample, visitor, { email: `me-${suite.adapter}@example.com`, db: { keep: 'me' } });
    const csrf = Visitor.csrfOf((await visitor.get('/me')).body);
    const attacker = await suite.mint('attacker');
    const before = await suite.verifications();
    const me = await new Visitor(suite.sample.url).get(`/me?logupToken=${attacker.logupToken}&isNewUser=false`, false);
    expect(me.status).toBe(400);
    expect(JSON.parse(me.body).message).toMatch(/accepted only on the LogUp callback route/);
    const mine = await visitor.get(`/me?logupToken=${attacker.logupToken}&isNewUser=false`, false);
    expect(mine.status).toBe(400);
    const post = await visitor.request('POST', `/me/db?logupToken=${attacker.logupToken}&isNewUser=false`, {
      form: { _csrf: csrf, key: 'k', value: 'v' },
      html: false,
    });
    expect(post.status).toBe(400);
    expect(await suite.verifications()).toBe(before);
    expect(await suite.sample.emulator.db(own.idSubscription)).toEqual({ keep: 'me' });
    // The token is still unused: LogUp never saw it.
    const fresh = new Visitor(suite.sample.url);
    expect((await fresh.get(callbackPathFor(await startLogin(fresh), attacker.logupToken, false))).status).toBe(303);
    expect(suite.sample.output()).toMatch(/A request to \/me carried logupToken/);
    expect(suite.sample.output()).not.toContain(attacker.logupToken);
  });
}
