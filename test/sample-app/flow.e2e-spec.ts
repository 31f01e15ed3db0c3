import { Visitor } from '../support/browserless.js';
import { SAMPLE_LOGIN_BINDING, logIn, startLogin } from '../support/sample-app.js';
import { saveDb, sampleSuite, type SampleSuite } from './sample-suite.js';

type Adapter = 'express' | 'fastify';

describe.each(['express', 'fastify'] as const)('sample app on %s', (adapter) => {
  const suite = sampleSuite(adapter);
  loginTests(suite);
  accountTests(suite, adapter);
  formTests(suite, adapter);
  visitorTests(suite, adapter);
});

function loginTests(suite: SampleSuite) {
  it(`has a login button that starts a login and sends the browser to the emulator, back to the callback (${SAMPLE_LOGIN_BINDING} mode)`, async () => {
    const { sample } = suite;
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

  it('answers unknown routes and a tampered session without a 500', async () => {
    const visitor = new Visitor(suite.sample.url);
    expect((await visitor.get('/nope', false)).status).toBe(404);
    const tampered = await visitor.request('GET', '/me', {
      html: false,
      headers: { cookie: 'logup_sample_session=garbage' },
    });
    expect(tampered.status).toBe(401);
  });
}

function accountTests(suite: SampleSuite, adapter: Adapter) {
  it('logs in, shows /me, updates, deletes and logs out', async () => {
    const { sample } = suite;
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

    const saved = await saveDb(visitor, Visitor.csrfOf(me.body), 'age', '21', 'number');
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/me?notice=saved');
    expect(await sample.emulator.db(login.idSubscription)).toEqual({ plan: 'free', age: 21 });
    const flag = await saveDb(visitor, Visitor.csrfOf(me.body), 'vip', 'true', 'boolean');
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
}

function formTests(suite: SampleSuite, adapter: Adapter) {
  it('shows limit violations next to the form, keeps the input and changes nothing', async () => {
    const { visitor, login } = await suite.loggedIn(`limits-${adapter}@example.com`, { keep: 'me' });
    const csrf = Visitor.csrfOf((await visitor.get('/me')).body);
    const longKey = 'k'.repeat(33);
    const res = await saveDb(visitor, csrf, longKey, 'x');
    expect(res.status).toBe(400);
    expect(res.body).toContain('<li>The key can be at most 32 characters; this one has 33.</li>');
    expect(res.body).toContain(`value="${longKey}"`);
    const longValue = 'v'.repeat(1025);
    const res2 = await saveDb(visitor, csrf, 'note', longValue);
    expect(res2.status).toBe(400);
    expect(res2.body).toContain('<li>The value can be at most 1024 characters; this one has 1025.</li>');
    expect(res2.body).toContain(`value="${longValue}"`);
    const res3 = await saveDb(visitor, csrf, 'n', 'abc', 'number');
    expect(res3.status).toBe(400);
    expect(res3.body).toContain('<li>Enter a number, such as 42 or 3.5.</li>');
    expect(res3.body).toContain('value="abc"');
    const res3b = await saveDb(visitor, csrf, 'b', 'yes', 'boolean');
    expect(res3b.status).toBe(400);
    expect(res3b.body).toContain('<li>Choose true or false: type true or false as the value.</li>');
    const res4 = await visitor.post('/me/db/delete', { _csrf: csrf });
    expect(res4.status).toBe(400);
    expect(res4.body).toContain('<li>Select at least one key to delete.</li>');
    expect(await suite.sample.emulator.db(login.idSubscription)).toEqual({ keep: 'me' });
    expect(await suite.stats()).toMatchObject({ dbUpdates: 0, dbDeletes: 0 });
  });

  it('rejects forms without a valid CSRF token (403) and changes nothing', async () => {
    const { visitor, login } = await suite.loggedIn(`csrf-${adapter}@example.com`, { keep: 'me' });
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
    expect(await suite.sample.emulator.db(login.idSubscription)).toEqual({ keep: 'me' });
  });
}

function visitorTests(suite: SampleSuite, adapter: Adapter) {
  it('keeps each visitor to their own DB', async () => {
    const a = await suite.loggedIn(`iso-a-${adapter}@example.com`, { owner: 'a' });
    const b = await suite.loggedIn(`iso-b-${adapter}@example.com`, { owner: 'b' });
    const pageA = await a.visitor.get('/me');
    expect(pageA.body).toContain(a.login.idSubscription);
    expect(pageA.body).not.toContain(b.login.idSubscription);
    await saveDb(a.visitor, Visitor.csrfOf(pageA.body), 'owner', 'changed');
    // A's CSRF token is useless in B's session.
    const pageB = await b.visitor.get('/me');
    expect(
      (await b.visitor.post('/me/db', { _csrf: Visitor.csrfOf(pageA.body), key: 'owner', value: 'x' }, false)).status,
    ).toBe(403);
    expect(await suite.sample.emulator.db(a.login.idSubscription)).toEqual({ owner: 'changed' });
    expect(await suite.sample.emulator.db(b.login.idSubscription)).toEqual({ owner: 'b' });
    expect(pageB.body).toContain('<td class="value">b</td>');
  });
}
