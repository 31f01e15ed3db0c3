import { Visitor } from '../support/browserless.js';
import {
  SAMPLE_LOGIN_BINDING,
  callbackPathFor,
  logIn,
  startLogin,
  startSample,
  type RunningSample,
} from '../support/sample-app.js';

describe.each(['express', 'fastify'] as const)('sample app on %s', (adapter) => {
  let sample: RunningSample;

  beforeAll(async () => {
    sample = await startSample(adapter);
  });
  afterAll(() => sample?.close());
  beforeEach(async () => {
    await sample.emulator.clearFaults();
    await sample.emulator.resetStats();
  });

  const mint = (email: string, db?: Record<string, string | number | boolean>) =>
    sample.emulator.login({ idGate: 'gate_demo', email, db });
  const stats = () => sample.emulator.stats();

  /** Logs a fresh visitor in through the callback; returns the visitor and their ids. */
  async function loggedIn(email: string, db?: Record<string, string | number | boolean>) {
    const visitor = new Visitor(sample.url);
    const login = await logIn(sample, visitor, { email, db });
    return { visitor, login };
  }

  /** A fresh visitor who started a login; answers the callback path for `logupToken`. */
  async function started(logupToken: string, isNewUser = true) {
    const visitor = new Visitor(sample.url);
    return { visitor, path: callbackPathFor(await startLogin(visitor), logupToken, isNewUser) };
  }

  it(`has a login button that starts a login and sends the browser to the emulator, back to the callback (${SAMPLE_LOGIN_BINDING} mode)`, async () => {
    const visitor = new Visitor(sample.url);
    const home = await visitor.get('/');
    expect(home.status).toBe(200);
    expect(home.body).toMatch(/<form method="post" action="\/login">/);
    const link = new URL(await startLogin(visitor));
    expect(link.origin).toBe(sample.emulator.url);
    expect(link.pathname).toBe('/login');
    expect(link.searchParams.get('gate')).toBe('gate_demo');
    const redirect = new URL(link.searchParams.get('redirect')!);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(`${sample.url}/logup/callback`);
    expect(redirect.searchParams.get('next')).toBe('/me');
    if (SAMPLE_LOGIN_BINDING === 'pending') {
      // As against LogUp, whose redirect URL is fixed: the pending login alone binds the callback.
      expect(redirect.searchParams.has('logupNonce')).toBe(false);
      return;
    }
    expect(redirect.searchParams.get('logupNonce')).toMatch(/^[\w-]{16,}$/);
    // Each login gets its own nonce.
    const again = new URL(new URL(await startLogin(visitor)).searchParams.get('redirect')!);
    expect(again.searchParams.get('logupNonce')).not.toBe(redirect.searchParams.get('logupNonce'));
  });

  it('logs in, shows /me, updates, deletes and logs out', async () => {
    const visitor = new Visitor(sample.url);
    const login = await logIn(sample, visitor, { email: `flow-${adapter}@example.com`, db: { plan: 'free' } });
    const callback = login.callback;
    expect(callback.location).toBe('/me');
    const cookie = callback.setCookies.find((c) => c.startsWith('logup_sample_session='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(callback.body).not.toContain(login.logupToken);

    const me = await visitor.get('/me');
    expect(me.status).toBe(200);
    expect(me.body).toContain(`<code id="idSubscription">${login.idSubscription}</code>`);
    expect(me.body).toContain(`<code id="idActor">${login.idActor}</code>`);
    expect(me.body).toContain('<code id="isNewUser">true</code>');
    expect(me.body).toMatch(/<td class="key">plan<\/td><td class="value">free<\/td>/);

    const saved = await visitor.post('/me/db', {
      _csrf: Visitor.csrfOf(me.body),
      key: 'age',
      value: '21',
      type: 'number',
    });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/me?notice=saved');
    expect(await sample.emulator.db(login.idSubscription)).toEqual({ plan: 'free', age: 21 });
    const flag = await visitor.post('/me/db', {
      _csrf: Visitor.csrfOf(me.body),
      key: 'vip',
      value: 'true',
      type: 'boolean',
    });
    expect(flag.status).toBe(303);
    expect(await sample.emulator.db(login.idSubscription)).toEqual({ plan: 'free', age: 21, vip: true });

    const page = await visitor.get(saved.location!);
    expect(page.body).toContain('<p class="notice" role="status">Saved.</p>');
    const deleted = await visitor.post('/me/db/delete', { _csrf: Visitor.csrfOf(page.body), keys: ['plan', 'vip'] });
    expect(deleted.status).toBe(303);
    expect(await sample.emulator.db(login.idSubscription)).toEqual({ age: 21 });

    const out = await visitor.post('/logout', { _csrf: Visitor.csrfOf(page.body) });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/?notice=logged-out');
    const after = await visitor.get('/me');
    expect(after.status).toBe(303);
    expect(after.location).toBe('/');
    expect((await visitor.get('/me', false)).status).toBe(401);
  });

  it.each([
    ['no isNewUser', 'logupToken=TOKEN', /isNewUser is required/],
    ['isNewUser=maybe', 'logupToken=TOKEN&isNewUser=maybe', /isNewUser must be exactly \\"true\\" or \\"false\\"/],
    ['an empty token', 'logupToken=&isNewUser=true', /logupToken must be 16 to 2048 characters long/],
    ['a short token', 'logupToken=abc&isNewUser=true', /logupToken must be 16 to 2048 characters long/],
    ['a repeated token', 'logupToken=TOKEN&logupToken=TOKEN&isNewUser=true', /logupToken must be a single string/],
    ['a 5000-character token', `logupToken=${'a'.repeat(5000)}&isNewUser=true`, /logupToken must be 16 to 2048/],
    [
      'unicode in the token',
      `logupToken=${encodeURIComponent('é'.repeat(20))}&isNewUser=true`,
      /logupToken contains characters/,
    ],
    ['a control character', `logupToken=${'a'.repeat(20)}%00&isNewUser=true`, /logupToken contains characters/],
  ])('answers 400 to %s and sends nothing to LogUp', async (_name, query, message) => {
    const token = (await mint(`bad-${Math.random()}@example.com`)).logupToken;
    const { visitor } = await started(token);
    const res = await visitor.get(`/logup/callback?${query.replaceAll('TOKEN', token)}`, false);
    expect(res.status).toBe(400);
    expect(res.body).toMatch(message);
    expect(res.body).not.toContain(token);
    expect(await stats()).toMatchObject({ verifications: 0, apiRequests: 0 });
  });

  it("answers 401 with LogUp's reason for a used token", async () => {
    const login = await mint(`used-${adapter}@example.com`);
    const first = await started(login.logupToken, false);
    expect((await first.visitor.get(first.path)).status).toBe(303);
    const second = await started(login.logupToken, false);
    const again = await second.visitor.get(second.path, false);
    expect(again.status).toBe(401);
    expect(JSON.parse(again.body)).toMatchObject({ statusCode: 401, errorMessage: 'INVALID_LOGUP_TOKEN' });
    const third = await started(login.logupToken, false);
    const html = await third.visitor.get(third.path);
    expect(html.status).toBe(401);
    // The JSON keeps LogUp's reason; the page says it to a person.
    expect(html.body).toContain('LogUp could not confirm this login. Please log in again from the home page.');
    expect(html.body).not.toContain('INVALID_LOGUP_TOKEN');
  });

  it('answers 503 when LogUp is unavailable, with Retry-After when LogUp gave one', async () => {
    const token = (await mint(`down-${adapter}@example.com`)).logupToken;
    await sample.emulator.fault({ kind: 'status', status: 503, endpoint: 'verification' });
    const first = await started(token);
    const down = await first.visitor.get(first.path, false);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body).message).toBe('LogUp is unavailable; please try again shortly');
    await sample.emulator.fault({
      kind: 'status',
      status: 429,
      endpoint: 'verification',
      headers: { 'retry-after': '120' },
    });
    const second = await started(token);
    const limited = await second.visitor.get(second.path, false);
    expect(limited.status).toBe(503);
    expect(limited.headers.get('retry-after')).toBe('120');
    // The faults took the requests before LogUp processed them: the token still works.
    const third = await started(token);
    expect((await third.visitor.get(third.path)).status).toBe(303);
  });

  it('shows limit violations next to the form, keeps the input and changes nothing', async () => {
    const { visitor, login } = await loggedIn(`limits-${adapter}@example.com`, { keep: 'me' });
    const me = await visitor.get('/me');
    const csrf = Visitor.csrfOf(me.body);
    const longKey = 'k'.repeat(33);
    const res = await visitor.post('/me/db', { _csrf: csrf, key: longKey, value: 'x', type: 'string' });
    expect(res.status).toBe(400);
    expect(res.body).toContain('<li>The key can be at most 32 characters; this one has 33.</li>');
    expect(res.body).toContain(`value="${longKey}"`);
    const longValue = 'v'.repeat(1025);
    const res2 = await visitor.post('/me/db', { _csrf: csrf, key: 'note', value: longValue, type: 'string' });
    expect(res2.status).toBe(400);
    expect(res2.body).toContain('<li>The value can be at most 1024 characters; this one has 1025.</li>');
    expect(res2.body).toContain(`value="${longValue}"`);
    const res3 = await visitor.post('/me/db', { _csrf: csrf, key: 'n', value: 'abc', type: 'number' });
    expect(res3.status).toBe(400);
    expect(res3.body).toContain('<li>Enter a number, such as 42 or 3.5.</li>');
    expect(res3.body).toContain('value="abc"');
    const res3b = await visitor.post('/me/db', { _csrf: csrf, key: 'b', value: 'yes', type: 'boolean' });
    expect(res3b.status).toBe(400);
    expect(res3b.body).toContain('<li>Choose true or false: type true or false as the value.</li>');
    const res4 = await visitor.post('/me/db/delete', { _csrf: csrf });
    expect(res4.status).toBe(400);
    expect(res4.body).toContain('<li>Select at least one key to delete.</li>');
    expect(await sample.emulator.db(login.idSubscription)).toEqual({ keep: 'me' });
    expect(await stats()).toMatchObject({ dbUpdates: 0, dbDeletes: 0 });
  });

  it('rejects forms without a valid CSRF token (403) and changes nothing', async () => {
    const { visitor, login } = await loggedIn(`csrf-${adapter}@example.com`, { keep: 'me' });
    await visitor.get('/me');
    for (const form of [
      { key: 'a', value: 'b' },
      { _csrf: 'forged', key: 'a', value: 'b' },
    ] as Record<string, string>[]) {
      const res = await visitor.post('/me/db', form, false);
      expect(res.status).toBe(403);
    }
    expect((await visitor.post('/me/db/delete', { _csrf: 'x', keys: 'keep' }, false)).status).toBe(403);
    expect((await visitor.post('/logout', {}, false)).status).toBe(403);
    expect(await sample.emulator.db(login.idSubscription)).toEqual({ keep: 'me' });
  });

  it.each([
    '//evil.example/x',
    'https://evil.example/',
    '/\\evil.example',
    'javascript:alert(1)',
    '/\r\nSet-Cookie:x=1',
    '/ok\u2028',
  ])('never redirects off-site after login (next=%s)', async (next) => {
    const { visitor, path } = await started((await mint(`next-${Math.random()}@example.com`)).logupToken);
    const url = new URL(path, sample.url);
    url.searchParams.set('next', next);
    const res = await visitor.get(`${url.pathname}${url.search}`);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/me');
  });

  it('keeps each visitor to their own DB', async () => {
    const a = await loggedIn(`iso-a-${adapter}@example.com`, { owner: 'a' });
    const b = await loggedIn(`iso-b-${adapter}@example.com`, { owner: 'b' });
    const pageA = await a.visitor.get('/me');
    expect(pageA.body).toContain(a.login.idSubscription);
    expect(pageA.body).not.toContain(b.login.idSubscription);
    await a.visitor.post('/me/db', {
      _csrf: Visitor.csrfOf(pageA.body),
      key: 'owner',
      value: 'changed',
      type: 'string',
    });
    // A's CSRF token is useless in B's session.
    const pageB = await b.visitor.get('/me');
    expect(
      (await b.visitor.post('/me/db', { _csrf: Visitor.csrfOf(pageA.body), key: 'owner', value: 'x' }, false)).status,
    ).toBe(403);
    expect(await sample.emulator.db(a.login.idSubscription)).toEqual({ owner: 'changed' });
    expect(await sample.emulator.db(b.login.idSubscription)).toEqual({ owner: 'b' });
    expect(pageB.body).toContain('<td class="value">b</td>');
  });

  it('answers unknown routes and a tampered session without a 500', async () => {
    const visitor = new Visitor(sample.url);
    expect((await visitor.get('/nope', false)).status).toBe(404);
    const tampered = await visitor.request('GET', '/me', {
      html: false,
      headers: { cookie: 'logup_sample_session=garbage' },
    });
    expect(tampered.status).toBe(401);
  });
});

describe('sample app callback rate limit', () => {
  it('answers 429 past CALLBACK_RATE_LIMIT per minute, before calling LogUp, and /me is no way around it', async () => {
    const sample = await startSample('express', { CALLBACK_RATE_LIMIT: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const token = (await sample.emulator.login({ idGate: 'gate_demo', email: `rl${i}@example.com` })).logupToken;
        const visitor = new Visitor(sample.url);
        statuses.push((await visitor.get(callbackPathFor(await startLogin(visitor), token), false)).status);
      }
      expect(statuses).toEqual([303, 303, 303, 429, 429]);
      expect((await sample.emulator.stats()).verifications).toBe(3);
      // Tokens sent to the session-only routes are refused before LogUp: no way around the limit.
      const guesses = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const token = (await sample.emulator.login({ idGate: 'gate_demo', email: `guess${i}@example.com` }))
            .logupToken;
          return (await new Visitor(sample.url).get(`/me?logupToken=${token}&isNewUser=true`, false)).status;
        }),
      );
      expect(guesses).toEqual(Array(50).fill(400));
      expect((await sample.emulator.stats()).verifications).toBe(3);
    } finally {
      await sample.close();
    }
  });
});
