import { Visitor } from '../support/browserless.js';
import { callbackPathFor, logIn, startLogin, startSample, type RunningSample } from '../support/sample-app.js';
import { runningSample } from './sample-suite.js';

/** Security headers on every answer (issue 9, item 7). */
describe.each(['express', 'fastify'] as const)('security headers (%s)', (adapter) => {
  securityHeaderTests(runningSample(adapter), adapter);
});

function expectSecurityHeaders(headers: Headers, what: string) {
  const csp = headers.get('content-security-policy') ?? '';
  expect({ what, csp }).toEqual({ what, csp: expect.stringContaining("default-src 'self'") });
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('x-powered-by')).toBeNull();
}

function securityHeaderTests(running: { readonly sample: RunningSample }, adapter: 'express' | 'fastify') {
  it('sends them on every page, error and redirect, and no-store on the pages, /me and the callback', async () => {
    const { sample } = running;
    const visitor = new Visitor(sample.url);
    const login = await logIn(sample, visitor, { email: `headers-${adapter}-${process.pid}@example.com` });
    const answers: [string, Awaited<ReturnType<Visitor['get']>>][] = [
      ['home', await visitor.get('/')],
      ['/me', await visitor.get('/me')],
      ['/me as JSON 401', await new Visitor(sample.url).get('/me', false)],
      ['callback 303', login.callback],
      ['callback 400', await new Visitor(sample.url).get(`/logup/callback?logupToken=${'a'.repeat(20)}&isNewUser=x`)],
      ['404', await visitor.get('/nope')],
      ['POST /login 303', await visitor.post('/login', {})],
    ];
    for (const [what, res] of answers) {
      expectSecurityHeaders(res.headers, what);
      expect({ what, cache: res.headers.get('cache-control') }).toEqual({ what, cache: 'no-store' });
    }
    expect(answers.map(([what, res]) => [what, res.status])).toEqual([
      ['home', 200],
      ['/me', 200],
      ['/me as JSON 401', 401],
      ['callback 303', 303],
      ['callback 400', 400],
      ['404', 404],
      ['POST /login 303', 303],
    ]);
  });

  it('serves the one stylesheet from this origin, cacheable, as text/css', async () => {
    const { sample } = running;
    const res = await new Visitor(sample.url).get('/app.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/css/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.body).toContain(':root');
    expectSecurityHeaders(res.headers, 'app.css');
    expect((await new Visitor(sample.url).get('/')).body).not.toMatch(/<style|<script| style="/);
  });

  it('allows the login form to lead only here and to the LogUp login page (form-action)', async () => {
    const { sample } = running;
    const csp = (await new Visitor(sample.url).get('/')).headers.get('content-security-policy')!;
    expect(csp).toContain(`form-action 'self' ${sample.emulator.url}`);
  });
}

const BEHIND_PROXY = { 'x-forwarded-proto': 'https' };

/** TRUST_PROXY, COOKIE_SECURE behind a TLS proxy, the rate limiter's client address (issue 9, item 6). */
describe.each(['express', 'fastify'] as const)('behind a proxy (%s)', (adapter) => {
  secureCookieTests(adapter);
  secureCookieFailureTests(adapter);
  clientAddressTests(adapter);
});

function secureCookieTests(adapter: 'express' | 'fastify') {
  it('logs in with COOKIE_SECURE=true behind a trusted TLS proxy (TRUST_PROXY=loopback): secure cookies are set', async () => {
    const sample = await startSample(adapter, { COOKIE_SECURE: 'true', TRUST_PROXY: 'loopback' });
    try {
      const visitor = new Visitor(sample.url);
      const home = await visitor.request('GET', '/', { headers: BEHIND_PROXY });
      expect(home.status).toBe(200);
      const start = await visitor.request('POST', '/login', { form: {}, headers: BEHIND_PROXY });
      expect(start.status).toBe(303);
      expect(start.setCookies.join('\n')).toMatch(/logup_sample_session=.*;.*secure/i);
      // The callback URL handed to the emulator is the https one the proxy serves.
      expect(new URL(start.location!).searchParams.get('redirect')).toMatch(/^https:\/\//);
      const login = await sample.emulator.login({ idGate: 'gate_demo', email: `proxy-${adapter}@example.com` });
      const callback = await visitor.request('GET', callbackPathFor(start.location!, login.logupToken), {
        headers: BEHIND_PROXY,
      });
      expect(callback.status).toBe(303);
      const cookie = callback.setCookies.find((c) => c.startsWith('logup_sample_session='));
      expect(cookie).toMatch(/;\s*secure/i);
      expect(cookie).toMatch(/httponly/i);
      const me = await visitor.request('GET', '/me', { headers: BEHIND_PROXY });
      expect(me.status).toBe(200);
      expect(me.body).toContain(login.idSubscription);
      expect(me.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    } finally {
      await sample.close();
    }
  });
}

function secureCookieFailureTests(adapter: 'express' | 'fastify') {
  it.each([
    ['without TRUST_PROXY, X-Forwarded-Proto is not believed', {}, BEHIND_PROXY, /not trusted: set TRUST_PROXY/],
    ['over plain HTTP', { TRUST_PROXY: 'loopback' }, {}, /Serve the site over HTTPS/],
  ])(
    'fails loudly when the secure session cookie cannot be set (%s): a log line and an error page, no redirect loop',
    async (_name, env, headers, logLine) => {
      const sample = await startSample(adapter, { COOKIE_SECURE: 'true', ...env });
      try {
        const visitor = new Visitor(sample.url);
        for (const path of ['/', '/logup/callback', '/me']) {
          const res = await visitor.request('GET', path, { headers });
          expect([path, res.status]).toEqual([path, 500]);
          expect(res.body).toContain('This site could not start a session');
          expect(res.location).toBeNull();
        }
        const login = await visitor.request('POST', '/login', { form: {}, headers });
        expect(login.status).toBe(500);
        expect(sample.output()).toMatch(/COOKIE_SECURE=true but a request arrived over plain HTTP/);
        expect(sample.output()).toMatch(logLine);
      } finally {
        await sample.close();
      }
    },
  );
}

/** Callback requests from addresses told by X-Forwarded-For; answers their statuses. */
async function callbacksFrom(sample: RunningSample, addresses: string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const address of addresses) {
    const res = await new Visitor(sample.url).request('GET', '/logup/callback', {
      html: false,
      headers: { 'x-forwarded-for': address },
    });
    statuses.push(res.status);
  }
  return statuses;
}

function clientAddressTests(adapter: 'express' | 'fastify') {
  it('rate-limits the callback per client address the proxy reports, only when the proxy is trusted', async () => {
    const trusted = await startSample(adapter, { CALLBACK_RATE_LIMIT: '2', TRUST_PROXY: 'loopback' });
    const untrusted = await startSample(adapter, { CALLBACK_RATE_LIMIT: '2' });
    try {
      // Behind a trusted proxy each client has its own budget...
      expect(await callbacksFrom(trusted, ['203.0.113.1', '203.0.113.1', '203.0.113.1'])).toEqual([401, 401, 429]);
      expect(await callbacksFrom(trusted, ['203.0.113.2', '203.0.113.3'])).toEqual([401, 401]);
      // ...and a client cannot pick another address by prepending to the proxy's header.
      expect(await callbacksFrom(trusted, ['198.51.100.9, 203.0.113.1'])).toEqual([429]);
      // Without a trusted proxy the header is ignored: every request is the connecting address.
      expect(await callbacksFrom(untrusted, ['203.0.113.1', '203.0.113.2', '203.0.113.3'])).toEqual([401, 401, 429]);
    } finally {
      await trusted.close();
      await untrusted.close();
    }
  });

  it('still logs in behind a trusted proxy with the pending login bound to the browser', async () => {
    const sample = await startSample(adapter, { TRUST_PROXY: '127.0.0.1/8, ::1' });
    try {
      const visitor = new Visitor(sample.url);
      const start = await startLogin(visitor);
      const login = await sample.emulator.login({ idGate: 'gate_demo', email: `proxy2-${adapter}@example.com` });
      expect((await visitor.get(callbackPathFor(start, login.logupToken))).status).toBe(303);
      expect((await visitor.get('/me')).status).toBe(200);
    } finally {
      await sample.close();
    }
  });
}
