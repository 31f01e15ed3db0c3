import fc from 'fast-check';
import { Visitor } from '../support/browserless.js';
import { callbackPathFor, startLogin, startSample, type RunningSample } from '../support/sample-app.js';

const VALID = '\u0000VALID\u0000';
const NONCE = '\u0000NONCE\u0000';

/** A value for one query parameter: plausible, hostile, or a fresh valid token. */
const value = fc.oneof(
  fc.constant(''),
  fc.constant(VALID),
  fc.constant(NONCE),
  fc.constantFrom('true', 'false', 'maybe', 'TRUE', '1', 'null', 'undefined', '[]', '{}'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\r', '\n', '\t', '\u2028', '%', '&', '=', '#', '?'), maxLength: 20 }),
  fc.stringMatching(/^[A-Za-z0-9]{100,300}$/),
  fc.integer({ min: 2049, max: 12_000 }).map((n) => 'a'.repeat(n)),
);
const name = fc.oneof(
  fc.constantFrom(
    'logupToken',
    'isNewUser',
    'logupNonce',
    'next',
    'logupToken[]',
    'logupToken[a]',
    'logupNonce[]',
    '__proto__',
    'constructor',
  ),
  fc.string({ maxLength: 12 }),
);
/** Any query: parameters in any order, repeated or missing. */
const anyQuery = fc.array(fc.tuple(name, value), { maxLength: 6 });
/**
 * A callback as LogUp sends it (a fresh token, isNewUser, the login's nonce), then
 * mangled: a parameter dropped or its value replaced, strangers added, the order shuffled.
 * Half of these stay valid, so the property also covers the logins that succeed.
 */
const nearValidQuery = fc
  .record({
    isNewUser: fc.constantFrom('true', 'false'),
    drop: fc.oneof(
      { arbitrary: fc.constant(null), weight: 3 },
      { arbitrary: fc.integer({ min: 0, max: 2 }), weight: 1 },
    ),
    replace: fc.oneof(
      { arbitrary: fc.constant(null), weight: 3 },
      { arbitrary: fc.tuple(fc.integer({ min: 0, max: 2 }), value), weight: 1 },
    ),
    extra: fc.oneof(
      { arbitrary: fc.constant([] as [string, string][]), weight: 2 },
      { arbitrary: fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 2 }), weight: 1 },
    ),
    order: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
  })
  .map(({ isNewUser, drop, replace, extra, order }) => {
    const pairs: [string, string][] = [
      ['logupToken', VALID],
      ['isNewUser', isNewUser],
      ['logupNonce', NONCE],
    ];
    if (replace) pairs[replace[0]] = [pairs[replace[0]][0], replace[1]];
    if (drop !== null) pairs.splice(drop, 1);
    const all = [...pairs, ...extra];
    return all
      .map((pair, i) => ({ pair, key: order[i] ?? 0 }))
      .sort((a, b) => a.key - b.key)
      .map(({ pair }) => pair);
  });
const query = fc.oneof(anyQuery, nearValidQuery, nearValidQuery);

/**
 * Sends one callback query (`pairs`, with VALID and NONCE filled in) from a browser that
 * started a login, so that some queries get as far as LogUp; checks the answer, and returns its status.
 */
async function sendQuery(sample: RunningSample, binding: 'nonce' | 'pending', pairs: [string, string][]) {
  const visitor = new Visitor(sample.url);
  const nonce = new URL(callbackPathFor(await startLogin(visitor), 'x'), sample.url).searchParams.get('logupNonce');
  // The login link carries the nonce in 'nonce' mode only (LogUp's redirect URL is fixed).
  expect(nonce === null).toBe(binding === 'pending');
  const params = new URLSearchParams();
  for (const [key, v] of pairs) {
    const token =
      v === VALID
        ? (await sample.emulator.login({ idGate: 'gate_demo', email: 'prop@example.com' })).logupToken
        : v === NONCE
          ? (nonce ?? 'no-nonce-in-pending-mode')
          : v;
    params.append(key, token);
  }
  const before = (await sample.emulator.stats()).apiRequests;
  const res = await visitor.get(`/logup/callback?${params.toString()}`, false);
  if (res.status === 303) {
    // A login needs the fresh token and, in 'nonce' mode, this login's nonce.
    expect(pairs.filter(([k, v]) => k === 'logupToken' && v === VALID)).toHaveLength(1);
    if (binding === 'nonce') expect(params.getAll('logupNonce')).toEqual([nonce]);
  }
  expect(res.status).toBeLessThan(500);
  expect([303, 400, 401, 414, 431]).toContain(res.status);
  expect(res.body).not.toMatch(/\bat \S+ \(|node_modules/);
  if (res.status !== 303 && res.status !== 401) {
    expect((await sample.emulator.stats()).apiRequests).toBe(before);
  }
  return res.status;
}

describe.each([
  ['express', 'nonce'],
  ['fastify', 'nonce'],
  ['express', 'pending'],
  ['fastify', 'pending'],
] as const)('hostile callback queries (%s, loginBinding %s)', (adapter, binding) => {
  let sample: RunningSample;
  beforeAll(async () => {
    sample = await startSample(adapter, { LOGUP_LOGIN_BINDING: binding });
  });
  afterAll(() => sample?.close());

  it('never answer 5xx; rejected input sends nothing to LogUp', async () => {
    const seen = new Set<number>();
    let logins = 0;
    await fc.assert(
      fc.asyncProperty(query, async (pairs) => {
        const status = await sendQuery(sample, binding, pairs);
        seen.add(status);
        if (status === 303) logins++;
      }),
      { numRuns: 150 },
    );
    // The generator reached both the happy path (logins) and the rejections.
    expect(seen.has(400)).toBe(true);
    expect(logins).toBeGreaterThan(10);
  });

  it.each([
    ['a 1 MB token', `logupToken=${'a'.repeat(1024 * 1024)}&isNewUser=true`],
    ['a 20 kB token', `logupToken=${'a'.repeat(20_000)}&isNewUser=true`],
  ])('refuses %s early, without a 5xx and without calling LogUp', async (_name, q) => {
    const before = (await sample.emulator.stats()).apiRequests;
    // Node's HTTP server answers 431 to an oversized request line and closes the socket;
    // a client still writing it may see that close (ECONNRESET/EPIPE) before the answer.
    const status = await new Visitor(sample.url).get(`/logup/callback?${q}`, false).then(
      (res) => res.status,
      (error: Error & { cause?: { code?: string } }) => {
        if (!['ECONNRESET', 'EPIPE'].includes(error.cause?.code ?? '')) throw error;
        return 'closed';
      },
    );
    expect([400, 414, 431, 'closed']).toContain(status);
    expect((await sample.emulator.stats()).apiRequests).toBe(before);
    expect(sample.alive()).toBe(true);
  });
});
