import { Visitor } from '../support/browserless.js';
import { logIn, type RunningSample } from '../support/sample-app.js';
import { runningSample } from './sample-suite.js';

const SESSION_MAX_AGE_SECONDS = 3600;
/** The app's clock moves half a session's lifetime at a time (test/support/controlled-clock.mjs). */
const CLOCK_STEP_MS = (SESSION_MAX_AGE_SECONDS * 1000) / 2;

/** Logout ends the session on the server; sessions expire on the server; CSRF secrets rotate (issue 9, item 5). */
describe.each(['express', 'fastify'] as const)('sessions (%s)', (adapter) => {
  const running = runningSample(
    adapter,
    { SESSION_MAX_AGE_SECONDS: String(SESSION_MAX_AGE_SECONDS) },
    { clockStepMs: CLOCK_STEP_MS },
  );
  let n = 0;
  const suite: SessionSuite = {
    get sample() {
      return running.sample;
    },
    who: () => `session-${adapter}-${++n}-${process.pid}@example.com`,
  };
  endingTests(suite);
  csrfTests(suite);
  noticeTests(suite);
});

/** The running app, and a new visitor's address for each call. */
interface SessionSuite {
  readonly sample: RunningSample;
  who(): string;
}

function endingTests(suite: SessionSuite) {
  it('refuses a cookie captured before logout: it neither opens /me nor saves', async () => {
    const { sample, who } = suite;
    const visitor = new Visitor(sample.url);
    const login = await logIn(sample, visitor, { email: who(), db: { keep: 'me' } });
    const page = await visitor.get('/me');
    const captured = visitor.cookieHeader();
    const csrf = Visitor.csrfOf(page.body);
    const out = await visitor.post('/logout', { _csrf: csrf });
    expect(out.status).toBe(303);

    const thief = new Visitor(sample.url).setCookieHeader(captured);
    const me = await thief.get('/me');
    expect(me.status).toBe(303);
    expect(me.location).toBe('/');
    expect((await thief.get('/me', false)).status).toBe(401);
    const save = await thief.post('/me/db', { _csrf: csrf, key: 'stolen', value: 'x' }, false);
    expect(save.status).toBe(401);
    const del = await thief.post('/me/db/delete', { _csrf: csrf, keys: 'keep' }, false);
    expect(del.status).toBe(401);
    expect(await sample.emulator.db(login.idSubscription)).toEqual({ keep: 'me' });
  });

  it(`ends a login after SESSION_MAX_AGE_SECONDS on the server, whatever the cookie says`, async () => {
    const { sample, who } = suite;
    const visitor = new Visitor(sample.url);
    const login = await logIn(sample, visitor, { email: who(), db: { keep: 'me' } });
    const page = await visitor.get('/me');
    expect(page.status).toBe(200);
    const cookie = login.callback.setCookies.find((c) => c.startsWith('logup_sample_session='));
    expect(cookie).toMatch(new RegExp(`max-age=${SESSION_MAX_AGE_SECONDS}|expires=`, 'i'));
    // The test client keeps sending the cookie after it expired, as a copied cookie would be.
    await sample.advanceClock();
    expect((await visitor.get('/me', false)).status).toBe(200);
    // Two half lifetimes and the real time the test took: just past SESSION_MAX_AGE_SECONDS.
    await sample.advanceClock();
    expect((await visitor.get('/me', false)).status).toBe(401);
    const save = await visitor.post('/me/db', { _csrf: Visitor.csrfOf(page.body), key: 'late', value: 'x' }, false);
    expect(save.status).toBe(401);
    expect(await sample.emulator.db(login.idSubscription)).toEqual({ keep: 'me' });
  });
}

function csrfTests(suite: SessionSuite) {
  it('rotates the CSRF secret at login and at logout: older form tokens stop working', async () => {
    const { sample, who } = suite;
    const visitor = new Visitor(sample.url);
    const email = who();
    // An anonymous page has no token (and no session) to carry over.
    expect((await visitor.get('/')).body).not.toContain('name="_csrf"');
    const login = await logIn(sample, visitor, { email, db: { keep: 'me' } });
    expect((await visitor.post('/me/db', { key: 'a', value: '1' }, false)).status).toBe(403);
    const first = Visitor.csrfOf((await visitor.get('/me')).body);
    expect((await visitor.post('/me/db', { _csrf: first, key: 'b', value: '2' })).status).toBe(303);

    // ...and of a page shown before logging in again as the same account.
    await logIn(sample, visitor, { email });
    expect((await visitor.post('/me/db', { _csrf: first, key: 'c', value: '3' }, false)).status).toBe(403);
    const second = Visitor.csrfOf((await visitor.get('/me')).body);

    // ...and before a logout.
    expect((await visitor.post('/logout', { _csrf: second })).status).toBe(303);
    await logIn(sample, visitor, { email });
    expect((await visitor.post('/me/db', { _csrf: second, key: 'd', value: '4' }, false)).status).toBe(403);
    const third = Visitor.csrfOf((await visitor.get('/me')).body);
    expect((await visitor.post('/me/db', { _csrf: third, key: 'e', value: '5' })).status).toBe(303);
    expect(await sample.emulator.db(login.idSubscription)).toEqual({ keep: 'me', b: '2', e: '5' });
  });
}

function noticeTests(suite: SessionSuite) {
  it('shows only fixed notices on /me, never text from the URL', async () => {
    const { sample, who } = suite;
    const visitor = new Visitor(sample.url);
    await logIn(sample, visitor, { email: who() });
    const evil = 'Your account is locked: call +1 555 0100';
    for (const query of [
      `saved=${encodeURIComponent(evil)}`,
      `notice=${encodeURIComponent(evil)}`,
      'notice=__proto__',
      'notice=constructor',
      'notice=toString',
      'notice[]=saved',
    ]) {
      const res = await visitor.get(`/me?${query}`);
      expect(res.status).toBe(200);
      expect(res.body).not.toContain('Your account is locked');
      expect(res.body).not.toContain('class="notice"');
    }
    expect((await visitor.get('/me?notice=saved')).body).toContain('<p class="notice" role="status">Saved.</p>');
    expect((await visitor.get('/me?notice=deleted')).body).toContain(
      '<p class="notice" role="status">Deleted the selected keys.</p>',
    );
  });

  it('confirms a logout on the home page with a fixed notice, never text from the URL', async () => {
    const { sample, who } = suite;
    const visitor = new Visitor(sample.url);
    await logIn(sample, visitor, { email: who() });
    const home = await visitor.get('/');
    expect(home.body).toContain('id="logout"');
    const out = await visitor.post('/logout', { _csrf: Visitor.csrfOf(home.body) });
    expect(out.location).toBe('/?notice=logged-out');
    expect((await visitor.get(out.location!)).body).toContain(
      '<p class="notice" role="status">You are logged out.</p>',
    );
    for (const query of ['notice=Your+account+is+locked', 'notice=__proto__', 'notice[]=logged-out', 'notice=saved']) {
      const res = await visitor.get(`/?${query}`);
      expect(res.status).toBe(200);
      expect(res.body).not.toContain('class="notice"');
    }
  });
}
