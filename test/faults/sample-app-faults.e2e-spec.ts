import { startEmulator, type FaultSpec, type LogupEmulator } from 'logup-emulator';
import { Visitor } from '../support/browserless.js';
import { emulatorLog } from '../support/log-capture.js';
import { GATE, email } from '../support/logup-fixture.js';
import { logIn, startLogin, startSample, type RunningSample } from '../support/sample-app.js';

const TIMEOUT_MS = 400;

/** The sample app configured for "real" LogUp, which is an emulator this test controls. */
function realLogupEnv(emulatorUrl: string): NodeJS.ProcessEnv {
  return {
    LOGUP_ID_GATE: GATE.idGate,
    LOGUP_SECRET: GATE.secret,
    LOGUP_BASE_URL: emulatorUrl,
    LOGUP_LOGIN_URL: `${emulatorUrl}/login`,
    LOGUP_TIMEOUT_MS: String(TIMEOUT_MS),
    SESSION_SECRET: 'fault-matrix-session-secret-0123456789',
  };
}

describe.each(['express', 'fastify'] as const)('fault matrix through the sample app (%s)', (adapter) => {
  let emu: LogupEmulator;
  let sample: RunningSample;
  let port: number;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, gates: [GATE], log: emulatorLog });
    port = emu.port;
    sample = await startSample(adapter, realLogupEnv(emu.url));
  });
  afterAll(async () => {
    await sample?.close();
    await emu?.stop();
  });
  afterEach(() => emu.clearFaults());

  const token = () => emu.login({ idGate: GATE.idGate, email: email(adapter) }).logupToken;
  /** A fresh browser starts a login (LOGUP_LOGIN_URL, verbatim) and comes back with `logupToken`. */
  const callback = async (logupToken = token()) => {
    const visitor = new Visitor(sample.url);
    expect(await startLogin(visitor)).toBe(`${emu.url}/login`);
    return visitor.get(`/logup/callback?logupToken=${logupToken}&isNewUser=true`, false);
  };

  /** After a fault, a plain login works again without any help. */
  async function recovers() {
    const res = await callback();
    expect(res.status).toBe(303);
    expect(sample.alive()).toBe(true);
  }

  it('logs in normally (baseline)', recovers);

  it.each<[string, number, FaultSpec]>([
    ['500', 503, { kind: 'status', status: 500 }],
    ['502', 503, { kind: 'status', status: 502 }],
    ['503', 503, { kind: 'status', status: 503 }],
    ['a hang past the timeout', 504, { kind: 'hang' }],
    ['malformed JSON', 503, { kind: 'malformed' }],
    // Twice: a drop before any answer on a pooled connection is repeated once on a fresh one.
    ['a dropped connection', 503, { kind: 'drop', count: 2 }],
    ['a connection dropped mid-response', 503, { kind: 'truncate' }],
  ])('verification answering %s -> %i, then recovers', async (_name, status, fault) => {
    emu.fault({ ...fault, endpoint: 'verification' });
    const started = Date.now();
    const res = await callback();
    expect(res.status).toBe(status);
    expect(Object.keys(JSON.parse(res.body)).sort()).toEqual(['error', 'message', 'statusCode']);
    // Bounded: one attempt of TIMEOUT_MS at most (generous slack for a loaded machine).
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 3000);
    emu.clearFaults(); // the second drop is left when the first attempt had a new connection
    await recovers();
  });

  it('429 with a short Retry-After is waited for and retried -> 303', async () => {
    emu.fault({ kind: 'status', status: 429, endpoint: 'verification', headers: { 'retry-after': '1' } });
    expect((await callback()).status).toBe(303);
  });

  it('429 with a long Retry-After -> 503 passing Retry-After on', async () => {
    emu.fault({ kind: 'status', status: 429, endpoint: 'verification', headers: { 'retry-after': '120' } });
    const res = await callback();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('120');
    await recovers();
  });

  it('an access token revoked mid-run (401) is renewed and the login succeeds', async () => {
    await recovers();
    const grants = emu.stats().tokenGrants;
    emu.revokeAccessTokens();
    expect((await callback()).status).toBe(303);
    expect(emu.stats().tokenGrants).toBe(grants + 1);
  });

  it('many logins while tokens are revoked and the token endpoint is slow share one renewal', async () => {
    emu.revokeAccessTokens();
    // Slow, but well inside the app's 400 ms per-attempt deadline even on a loaded
    // machine: a token request cut off by the deadline would be retried (a second grant).
    emu.fault({ kind: 'latency', endpoint: 'token', latencyMs: 100 });
    const grants = emu.stats().tokenGrants;
    const results = await Promise.all(Array.from({ length: 40 }, () => callback()));
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(303));
    expect(emu.stats().tokenGrants).toBe(grants + 1);
  });

  describe('the DB behind /me', () => {
    let visitor: Visitor;
    beforeAll(async () => {
      visitor = new Visitor(sample.url);
      await logIn(sample, visitor, { idGate: GATE.idGate, email: email(adapter) });
    });

    it('retries idempotent reads through transient 5xx -> 200', async () => {
      emu.fault({ kind: 'status', status: 502, endpoint: 'db-read', count: 2 });
      expect((await visitor.get('/me')).status).toBe(200);
    });

    it.each<[string, number, FaultSpec]>([
      ['persistent 503', 503, { kind: 'status', status: 503, count: 10 }],
      ['a persistent hang', 504, { kind: 'hang', count: 10 }],
    ])('%s -> %i as an HTML page without internals, then recovers', async (_name, status, fault) => {
      emu.fault({ ...fault, endpoint: 'db-read' });
      const res = await visitor.get('/me');
      expect(res.status).toBe(status);
      expect(res.body).toContain(`<h1>Error ${status}</h1>`);
      expect(res.body).not.toMatch(/\bat \S+ \(|node_modules|Logup\w*Error/);
      emu.clearFaults();
      expect((await visitor.get('/me')).status).toBe(200);
    });
  });

  it('LogUp refusing connections -> 503 fast; recovers by itself when LogUp is back', async () => {
    await emu.stop();
    const started = Date.now();
    const down = await callback('a'.repeat(128));
    expect(down.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5000);
    // The same port, a new LogUp that knows nothing of the old access token.
    emu = await startEmulator({ port, gates: [GATE], log: emulatorLog });
    await recovers();
    expect(emu.stats()).toMatchObject({ tokenGrants: 1, verifications: 1 });
  });

  it('never crashed, never answered 500, and logged no unhandled rejection', () => {
    expect(sample.alive()).toBe(true);
    expect(sample.output()).not.toMatch(/Unhandled|ExceptionsHandler|Internal server error/i);
  });
});

describe('cold start', () => {
  it('fetches one access token for 50 concurrent first callbacks while the token endpoint is slow', async () => {
    const emu = await startEmulator({ port: 0, gates: [GATE], log: emulatorLog });
    const sample = await startSample('express', realLogupEnv(emu.url));
    try {
      // Slow, but well inside the app's 400 ms per-attempt deadline even on a loaded
      // machine: a token request cut off by the deadline would be retried (a second grant).
      emu.fault({ kind: 'latency', endpoint: 'token', latencyMs: 100 });
      const tokens = Array.from(
        { length: 50 },
        () => emu.login({ idGate: GATE.idGate, email: email('cold') }).logupToken,
      );
      const visitors = await Promise.all(
        tokens.map(async () => {
          const visitor = new Visitor(sample.url);
          await startLogin(visitor);
          return visitor;
        }),
      );
      const results = await Promise.all(
        tokens.map((t, i) => visitors[i].get(`/logup/callback?logupToken=${t}&isNewUser=true`, false)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(303));
      expect(emu.stats()).toMatchObject({ tokenGrants: 1, verifications: 50 });
    } finally {
      await sample.close();
      await emu.stop();
    }
  });
});
