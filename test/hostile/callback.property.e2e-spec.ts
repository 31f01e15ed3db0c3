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
/** A query: parameters in any order, repeated or missing. */
const query = fc.array(fc.tuple(name, value), { maxLength: 6 });

describe.each(['express', 'fastify'] as const)('hostile callback queries (%s)', (adapter) => {
  let sample: RunningSample;
  beforeAll(async () => {
    sample = await startSample(adapter);
  });
  afterAll(() => sample?.close());

  it('never answer 5xx; rejected input sends nothing to LogUp', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(query, async (pairs) => {
        // A browser that started a login, so that some queries get as far as LogUp.
        const visitor = new Visitor(sample.url);
        const nonce = new URL(callbackPathFor(await startLogin(visitor), 'x'), sample.url).searchParams.get(
          'logupNonce',
        )!;
        const params = new URLSearchParams();
        for (const [key, v] of pairs) {
          const token =
            v === VALID
              ? (await sample.emulator.login({ idGate: 'gate_demo', email: 'prop@example.com' })).logupToken
              : v === NONCE
                ? nonce
                : v;
          params.append(key, token);
        }
        const before = (await sample.emulator.stats()).apiRequests;
        const res = await visitor.get(`/logup/callback?${params.toString()}`, false);
        seen.add(res.status);
        expect(res.status).toBeLessThan(500);
        expect([303, 400, 401, 414, 431]).toContain(res.status);
        expect(res.body).not.toMatch(/\bat \S+ \(|node_modules/);
        if (res.status !== 303 && res.status !== 401) {
          expect((await sample.emulator.stats()).apiRequests).toBe(before);
        }
      }),
      { numRuns: 150 },
    );
    // The generator reached both the happy path and the rejections.
    expect(seen.has(400)).toBe(true);
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
