import type { INestApplicationContext } from '@nestjs/common';
import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { LogupUnavailableError, type LogupService } from 'nestjs-logup';
import { emulatorLog } from '../support/log-capture.js';
import { GATE, OTHER_GATE, email, emulator, logupContext } from '../support/logup-fixture.js';

// No unhandled rejection: Jest 30 fails the test (or hook) during which a promise is
// rejected without a handler, late ones included, so no listener is needed here (one
// added through the test's `process` never fires: that object is a copy of the real one).

// One emulator and one client for the fault tests, with no fault and fresh stats for every test.
let emu: LogupEmulator;
let app: INestApplicationContext;
let logup: LogupService;

beforeAll(async () => {
  emu = await emulator();
  ({ app, logup } = await logupContext(emu, {
    timeoutMs: 300,
    retry: { retries: 2, minDelayMs: 20, maxDelayMs: 1500, budgetMs: 3000 },
  }));
  // Warm the access token so faults hit the calls under test.
  await logup.subscription(emu.login({ idGate: GATE.idGate, email: email() }).idSubscription).getDb();
});
afterAll(async () => {
  await app?.close();
  await emu?.stop();
  // Anything the client left behind settles inside this hook, and fails it.
  await new Promise((resolve) => setTimeout(resolve, 50));
});
beforeEach(() => {
  emu.clearFaults();
  emu.resetStats();
});

const sub = (db?: Record<string, string | number | boolean>) =>
  logup.subscription(emu.login({ idGate: GATE.idGate, email: email(), db }).idSubscription);
const token = () => emu.login({ idGate: GATE.idGate, email: email() }).logupToken;
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as LogupUnavailableError,
  );

describe('the client under injected faults: idempotent DB calls are retried and succeed', () => {
  it.each([
    ['500', { kind: 'status', status: 500 }],
    ['502', { kind: 'status', status: 502 }],
    ['503', { kind: 'status', status: 503 }],
    ['429 with Retry-After', { kind: 'status', status: 429, headers: { 'retry-after': '0' } }],
    ['a hang past the timeout', { kind: 'hang' }],
    ['a dropped connection', { kind: 'drop' }],
    ['a connection dropped mid-response', { kind: 'truncate' }],
    ['a malformed JSON body', { kind: 'malformed' }],
  ] as const)('after %s', async (_name, fault) => {
    const s = sub({ a: 1 });
    emu.fault({ ...fault, endpoint: 'db', count: 2 });
    await expect(s.getDb()).resolves.toEqual({ a: 1 });
    expect(emu.stats()).toMatchObject({ faultsApplied: 2, dbReads: 1 });
  });

  it('after added latency within the timeout (no retry needed)', async () => {
    const s = sub({ a: 1 });
    emu.fault({ kind: 'latency', endpoint: 'db-update', latencyMs: 100 });
    await expect(s.updateDb({ b: 2 })).resolves.toEqual({ a: 1, b: 2 });
    expect(emu.stats()).toMatchObject({ faultsApplied: 1, dbUpdates: 1 });
  });
});

describe('the client under injected faults: idempotent DB calls give up clearly when the fault persists', () => {
  it.each([
    ['503', { kind: 'status', status: 503 }, 'status', 3],
    ['a hang', { kind: 'hang' }, 'timeout', 3],
    // The first drop, on a pooled connection, is repeated at once on a fresh one.
    ['dropped connections', { kind: 'drop' }, 'network', 4],
    ['malformed bodies', { kind: 'malformed' }, 'malformed_response', 3],
  ] as const)('%s -> LogupUnavailableError within the budget', async (_name, fault, reason, attempts) => {
    const s = sub({ a: 1 });
    await s.getDb(); // a pooled connection, just used: the first attempt reuses it
    emu.resetStats();
    emu.fault({ ...fault, endpoint: 'db', count: 100 });
    const started = Date.now();
    const error = await failure(s.updateDb({ b: 2 }));
    expect(error).toBeInstanceOf(LogupUnavailableError);
    expect(error).toMatchObject({ reason, operation: 'updateDb', code: 'LOGUP_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(3000 + 2000); // the budget, plus slack for a loaded machine
    expect(emu.stats().faultsApplied).toBe(attempts);
  });

  it('a Retry-After longer than the policy allows is reported, not waited for', async () => {
    emu.fault({ kind: 'status', status: 429, endpoint: 'db', headers: { 'retry-after': '120' } });
    const error = await failure(sub().getDb());
    expect(error).toMatchObject({ reason: 'status', status: 429, retryAfterSeconds: 120 });
    expect(emu.stats().faultsApplied).toBe(1);
  });
});

describe('the client under injected faults: a verification is never repeated once it may have reached LogUp', () => {
  it.each([
    ['503', { kind: 'status', status: 503 }, 'status'],
    ['a hang', { kind: 'hang' }, 'timeout'],
    ['a connection dropped mid-response', { kind: 'truncate' }, 'network'],
    ['a malformed body', { kind: 'malformed' }, 'malformed_response'],
  ] as const)('%s -> one attempt, LogupUnavailableError', async (_name, fault, reason) => {
    emu.fault({ ...fault, endpoint: 'verification', count: 5 });
    const error = await failure(logup.verify(token(), true));
    expect(error).toBeInstanceOf(LogupUnavailableError);
    expect(error).toMatchObject({ reason, operation: 'verification' });
    expect(emu.stats().faultsApplied).toBe(1);
  });

  it('a connection dropped before any answer: once more on a fresh connection (LogUp saw nothing), then reported', async () => {
    expect((await logup.verify(token(), true)).verified).toBe(true); // a pooled connection, just used
    emu.resetStats();
    emu.fault({ kind: 'drop', endpoint: 'verification', count: 5 });
    const error = await failure(logup.verify(token(), true));
    expect(error).toBeInstanceOf(LogupUnavailableError);
    expect(error).toMatchObject({ reason: 'network', operation: 'verification', notSent: false });
    // The pooled connection, then one fresh connection; never a third attempt.
    expect(emu.stats()).toMatchObject({ faultsApplied: 2, connections: 1 });
  });

  it('429 with Retry-After is retried (LogUp refused before processing)', async () => {
    emu.fault({ kind: 'status', status: 429, endpoint: 'verification', headers: { 'retry-after': '1' } });
    const started = Date.now();
    const result = await logup.verify(token(), true);
    expect(result.verified).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(emu.stats()).toMatchObject({ faultsApplied: 1, verifications: 1 });
  });
});

describe('the client under injected faults', () => {
  it('retries the token request on 503 and then succeeds', async () => {
    const ctx = await logupContext(emu, { retry: { minDelayMs: 10 } });
    try {
      emu.fault({ kind: 'status', status: 503, endpoint: 'token', count: 2 });
      await expect(ctx.logup.verify(token(), false)).resolves.toMatchObject({ verified: true });
      expect(emu.stats()).toMatchObject({ tokenGrants: 1, faultsApplied: 2 });
    } finally {
      await ctx.app.close();
    }
  });

  it('answers injected verification 400s as verified: false with the reason', async () => {
    emu.fault({ kind: 'status', status: 400, endpoint: 'verification', body: { error: 'BAD_TOKEN_FORMAT' } });
    await expect(logup.verify(token(), true)).resolves.toEqual({ verified: false, errorMessage: 'BAD_TOKEN_FORMAT' });
  });
});

describe('LogUp refusing connections, then coming back', () => {
  it('fails fast with a network error and recovers by itself', async () => {
    const first = await emulator();
    const port = first.port;
    const { app, logup } = await logupContext(first, { retry: { minDelayMs: 10, budgetMs: 2000 } });
    try {
      const login = first.login({ idGate: GATE.idGate, email: email(), db: { v: 1 } });
      await logup.subscription(login.idSubscription).getDb();
      await first.stop();
      const error = await logup
        .subscription(login.idSubscription)
        .getDb()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LogupUnavailableError);
      expect(error).toMatchObject({ reason: 'network' });
      expect((error as Error).message).toMatch(/ECONNREFUSED/);

      // Back on the same port, knowing nothing of the old access token: 401 -> renew -> success.
      const second = await startEmulator({ port, gates: [GATE, OTHER_GATE], log: emulatorLog });
      try {
        const again = second.login({ idGate: GATE.idGate, email: email(), db: { v: 2 } });
        const result = await logup.verify(again.logupToken, false);
        expect(result.verified && result.subscription.db).toEqual({ v: 2 });
        expect(second.stats()).toMatchObject({ tokenGrants: 1, rejected: 1 });
      } finally {
        await second.stop();
      }
    } finally {
      await app.close();
    }
  });
});
