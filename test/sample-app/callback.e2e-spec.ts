import { Visitor } from '../support/browserless.js';
import { callbackPathFor, startLogin, startSample } from '../support/sample-app.js';
import { sampleSuite, type SampleSuite } from './sample-suite.js';

describe.each(['express', 'fastify'] as const)('sample app on %s', (adapter) => {
  const suite = sampleSuite(adapter);
  refusalTests(suite, adapter);
  outageAndNextTests(suite, adapter);
});

function refusalTests(suite: SampleSuite, adapter: 'express' | 'fastify') {
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
    const token = (await suite.mint(`bad-${Math.random()}@example.com`)).logupToken;
    const { visitor } = await suite.started(token);
    const res = await visitor.get(`/logup/callback?${query.replaceAll('TOKEN', token)}`, false);
    expect(res.status).toBe(400);
    expect(res.body).toMatch(message);
    expect(res.body).not.toContain(token);
    expect(await suite.stats()).toMatchObject({ verifications: 0, apiRequests: 0 });
  });

  it("answers 401 with LogUp's reason for a used token", async () => {
    const login = await suite.mint(`used-${adapter}@example.com`);
    const first = await suite.started(login.logupToken, false);
    expect((await first.visitor.get(first.path)).status).toBe(303);
    const second = await suite.started(login.logupToken, false);
    const again = await second.visitor.get(second.path, false);
    expect(again.status).toBe(401);
    expect(JSON.parse(again.body)).toMatchObject({ statusCode: 401, errorMessage: 'INVALID_LOGUP_TOKEN' });
    const third = await suite.started(login.logupToken, false);
    const html = await third.visitor.get(third.path);
    expect(html.status).toBe(401);
    // The JSON keeps LogUp's reason; the page says it to a person.
    expect(html.body).toContain('LogUp could not confirm this login. Please log in again from the home page.');
    expect(html.body).not.toContain('INVALID_LOGUP_TOKEN');
  });
}

function outageAndNextTests(suite: SampleSuite, adapter: 'express' | 'fastify') {
  it('answers 503 when LogUp is unavailable, with Retry-After when LogUp gave one', async () => {
    const { emulator } = suite.sample;
    const token = (await suite.mint(`down-${adapter}@example.com`)).logupToken;
    await emulator.fault({ kind: 'status', status: 503, endpoint: 'verification' });
    const first = await suite.started(token);
    const down = await first.visitor.get(first.path, false);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body).message).toBe('LogUp is unavailable; please try again shortly');
    await emulator.fault({ kind: 'status', status: 429, endpoint: 'verification', headers: { 'retry-after': '120' } });
    const second = await suite.started(token);
    const limited = await second.visitor.get(second.path, false);
    expect(limited.status).toBe(503);
    expect(limited.headers.get('retry-after')).toBe('120');
    // The faults took the requests before LogUp processed them: the token still works.
    const third = await suite.started(token);
    expect((await third.visitor.get(third.path)).status).toBe(303);
  });

  it.each([
    '//evil.example/x',
    'https://evil.example/',
    '/\\evil.example',
    'javascript:alert(1)',
    '/\r\nSet-Cookie:x=1',
    '/ok\u2028',
  ])('never redirects off-site after login (next=%s)', async (next) => {
    const { visitor, path } = await suite.started((await suite.mint(`next-${Math.random()}@example.com`)).logupToken);
    const url = new URL(path, suite.sample.url);
    url.searchParams.set('next', next);
    const res = await visitor.get(`${url.pathname}${url.search}`);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/me');
  });
}

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
