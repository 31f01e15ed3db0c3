import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { Visitor } from '../support/browserless.js';
import { emulatorLog } from '../support/log-capture.js';
import { GATE, email } from '../support/logup-fixture.js';
import { callbackPathFor, logIn, startLogin, startSample, type RunningSample } from '../support/sample-app.js';

/**
 * Login CSRF (issue 9, item 1): a callback logs a browser in only if that browser
 * started the login; a token is verified on the callback only; a logged-in browser
 * is never switched to another account.
 */
describe.each(['express', 'fastify'] as const)('login binding on the embedded emulator, nonce mode (%s)', (adapter) => {
  let sample: RunningSample;
  beforeAll(async () => {
    sample = await startSample(adapter, { LOGUP_LOGIN_BINDING: 'nonce' });
  });
  afterAll(() => sample?.close());

  const mint = (label: string, db?: Record<string, string>) =>
    sample.emulator.login({ idGate: 'gate_demo', email: `${label}-${adapter}-${Math.random()}@example.com`, db });
  const verifications = async () => (await sample.emulator.stats()).verifications;

  it('refuses a callback this browser did not start, with a clear page, logging no one in and asking LogUp nothing', async () => {
    const attacker = await mint('attacker');
    const before = await verifications();
    const visitor = new Visitor(sample.url);
    const res = await visitor.get(`/logup/callback?logupToken=${attacker.logupToken}&isNewUser=false`);
    expect(res.status).toBe(400);
    expect(res.body).toContain('<h1>Login refused</h1>');
    expect(res.body).toContain('This login was not started from this browser');
    expect(res.body).toContain('Nobody was logged in by this link.');
    expect(res.body).not.toContain(attacker.logupToken);
    expect(await verifications()).toBe(before);
    expect((await visitor.get('/me', false)).status).toBe(401);
  });

  it.each([
    ['no nonce', (path: string) => path.replace(/logupNonce=[^&]+&?/, '')],
    ['a wrong nonce', (path: string) => path.replace(/logupNonce=[^&]+/, 'logupNonce=AAAAAAAAAAAAAAAAAAAAAAAA')],
    ['a repeated nonce', (path: string) => path.replace(/(logupNonce=[^&]+)/, '$1&$1')],
  ])('refuses a callback with %s even after this browser started a login', async (_name, change) => {
    const attacker = await mint('attacker');
    const visitor = new Visitor(sample.url);
    const path = callbackPathFor(await startLogin(visitor), attacker.logupToken, false);
    const before = await verifications();
    const res = await visitor.get(change(path), false);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).message).toMatch(/not started from this browser/);
    expect(await verifications()).toBe(before);
    expect((await visitor.get('/me', false)).status).toBe(401);
  });

  it("refuses another browser's nonce, and a pending login serves one callback only", async () => {
    const attacker = new Visitor(sample.url);
    const victim = new Visitor(sample.url);
    const token = (await mint('attacker')).logupToken;
    // The attacker starts a login in their own browser and hands the victim its callback URL.
    const attackersPath = callbackPathFor(await startLogin(attacker), token, false);
    await startLogin(victim);
    expect((await victim.get(attackersPath, false)).status).toBe(400);
    // The victim's own login is consumed by that refused attempt: its URL no longer works either.
    const own = await mint('victim');
    const victimPage = await startLogin(victim);
    expect((await victim.get(callbackPathFor(victimPage, own.logupToken), false)).status).toBe(303);
    expect((await victim.get(callbackPathFor(victimPage, (await mint('again')).logupToken), false)).status).toBe(400);
  });

  it('lets no other site start a login: a cross-site POST /login is refused and stores nothing', async () => {
    // The home page's form carries no token (an anonymous view stores no session):
    // LogupService.startLogin refuses what a browser marks as sent by another site.
    for (const headers of <Record<string, string>[]>[
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://attacker.example' },
    ]) {
      const visitor = new Visitor(sample.url);
      const res = await visitor.request('POST', '/login', { form: {}, html: false, headers });
      expect([headers, res.status]).toEqual([headers, 403]);
      expect(res.setCookies).toEqual([]);
    }
    const sameSite = await new Visitor(sample.url).request('POST', '/login', {
      form: {},
      headers: { 'sec-fetch-site': 'same-origin', origin: sample.url },
    });
    expect(sameSite.status).toBe(303);
  });

  it("keeps a logged-in victim in their own account: the attacker's callback is refused and saves land in the victim's DB", async () => {
    const victim = new Visitor(sample.url);
    const own = await logIn(sample, victim, { email: `victim-${adapter}@example.com`, db: { owner: 'victim' } });
    const attacker = await mint('attacker', { owner: 'attacker' });
    const res = await victim.get(`/logup/callback?logupToken=${attacker.logupToken}&isNewUser=false`);
    expect(res.status).toBe(400);
    const me = await victim.get('/me');
    expect(me.body).toContain(`<code id="idSubscription">${own.idSubscription}</code>`);
    const saved = await victim.post('/me/db', { _csrf: Visitor.csrfOf(me.body), key: 'card', value: '4111' });
    expect(saved.status).toBe(303);
    expect(await sample.emulator.db(own.idSubscription)).toEqual({ owner: 'victim', card: '4111' });
    expect(await sample.emulator.db(attacker.idSubscription)).toEqual({ owner: 'attacker' });
  });

  it('answers a logged-in browser that completes a login as another account with 409 and a log-out page', async () => {
    const visitor = new Visitor(sample.url);
    const first = await logIn(sample, visitor, { email: `first-${adapter}@example.com` });
    // Logging in again as the same account is no switch.
    await logIn(sample, visitor, { email: `first-${adapter}@example.com` });
    const other = await mint('other');
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

  it('refuses a token sent to /me or POST /me/db (400), never verifying it, and logs where tokens go', async () => {
    const visitor = new Visitor(sample.url);
    const own = await logIn(sample, visitor, { email: `me-${adapter}@example.com`, db: { keep: 'me' } });
    const csrf = Visitor.csrfOf((await visitor.get('/me')).body);
    const attacker = await mint('attacker');
    const before = await verifications();
    const me = await new Visitor(sample.url).get(`/me?logupToken=${attacker.logupToken}&isNewUser=false`, false);
    expect(me.status).toBe(400);
    expect(JSON.parse(me.body).message).toMatch(/accepted only on the LogUp callback route/);
    const mine = await visitor.get(`/me?logupToken=${attacker.logupToken}&isNewUser=false`, false);
    expect(mine.status).toBe(400);
    const post = await visitor.request('POST', `/me/db?logupToken=${attacker.logupToken}&isNewUser=false`, {
      form: { _csrf: csrf, key: 'k', value: 'v' },
      html: false,
    });
    expect(post.status).toBe(400);
    expect(await verifications()).toBe(before);
    expect(await sample.emulator.db(own.idSubscription)).toEqual({ keep: 'me' });
    // The token is still unused: LogUp never saw it.
    const fresh = new Visitor(sample.url);
    expect((await fresh.get(callbackPathFor(await startLogin(fresh), attacker.logupToken, false))).status).toBe(303);
    expect(sample.output()).toMatch(/A request to \/me carried logupToken/);
    expect(sample.output()).not.toContain(attacker.logupToken);
  });
});

describe.each(['express', 'fastify'] as const)(
  'login binding against an external LogUp, pending mode (%s)',
  (adapter) => {
    let emu: LogupEmulator;
    let sample: RunningSample;
    // A login URL as a LogUp console might give it: its own query and fragment must survive.
    let loginUrl: string;

    beforeAll(async () => {
      emu = await startEmulator({ port: 0, gates: [GATE], log: emulatorLog });
      loginUrl = `${emu.url}/login?gate=${GATE.idGate}&lang=en#start`;
      sample = await startSample(adapter, {
        LOGUP_ID_GATE: GATE.idGate,
        LOGUP_SECRET: GATE.secret,
        LOGUP_BASE_URL: emu.url,
        LOGUP_LOGIN_URL: loginUrl,
        SESSION_SECRET: 'login-binding-session-secret-0123456789',
      });
    });
    afterAll(async () => {
      await sample?.close();
      await emu?.stop();
    });

    const mint = (label: string) => emu.login({ idGate: GATE.idGate, email: email(`${label}-${adapter}`) });

    it('sends the browser to LOGUP_LOGIN_URL exactly as configured (no gate or redirect added)', async () => {
      const visitor = new Visitor(sample.url);
      expect(await startLogin(visitor)).toBe(loginUrl);
      const home = await visitor.get('/');
      expect(home.body).not.toContain('redirect=');
      expect(home.headers.get('content-security-policy')).toContain(`form-action 'self' ${emu.url}`);
    });

    it('logs in a browser that started the login, and refuses one that did not', async () => {
      const visitor = new Visitor(sample.url);
      await startLogin(visitor);
      expect((await visitor.get(`/logup/callback?logupToken=${mint('own').logupToken}&isNewUser=true`)).status).toBe(
        303,
      );
      expect((await visitor.get('/me')).status).toBe(200);
      const before = emu.stats().verifications;
      const stranger = new Visitor(sample.url);
      const refused = await stranger.get(`/logup/callback?logupToken=${mint('attacker').logupToken}&isNewUser=false`);
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('Login refused');
      expect(emu.stats().verifications).toBe(before);
    });

    it("never switches a logged-in victim who has a login pending to the attacker's account (409)", async () => {
      const victim = new Visitor(sample.url);
      const own = await logIn(sample, victim, { idGate: GATE.idGate, email: email('victim') });
      // The victim started another login (another tab), and the attacker's link arrives first.
      await startLogin(victim);
      const attacker = emu.login({ idGate: GATE.idGate, email: email('attacker'), db: { owner: 'attacker' } });
      const res = await victim.get(`/logup/callback?logupToken=${attacker.logupToken}&isNewUser=false`);
      expect(res.status).toBe(409);
      expect(res.body).toContain('Already logged in');
      const me = await victim.get('/me');
      expect(me.body).toContain(own.idSubscription);
      await victim.post('/me/db', { _csrf: Visitor.csrfOf(me.body), key: 'mine', value: 'yes' });
      expect(emu.db(own.idSubscription)).toEqual({ mine: 'yes' });
      expect(emu.db(attacker.idSubscription)).toEqual({ owner: 'attacker' });
    });
  },
);
