import type { INestApplicationContext } from '@nestjs/common';
import type { LogupEmulator } from 'logup-emulator';
import type { LogupService } from 'nestjs-logup';
import { GATE, email, emulator, logupContext } from '../support/logup-fixture.js';

/** LogUp at 200 ms a DB read, as in the report. */
const READ_LATENCY_MS = 200;

// One emulator and one client with the default pool for every test here.
let emu: LogupEmulator;
let ctx: { app: INestApplicationContext; logup: LogupService };

beforeAll(async () => {
  emu = await emulator();
  // The default pool (maxSockets 32); a 2 s attempt deadline keeps the test short.
  ctx = await logupContext(emu, { timeoutMs: 2000 });
  await ctx.logup.checkConnection();
});
afterAll(async () => {
  await ctx?.app.close();
  await emu?.stop();
});
afterEach(() => emu.clearFaults());

describe("one visitor's DB traffic cannot starve other visitors' logins", () => {
  it('a verification goes through while 500 slow reads of 500 subscriptions hold every DB socket', async () => {
    const subscriptions = Array.from({ length: 500 }, () =>
      ctx.logup.subscription(emu.login({ idGate: GATE.idGate, email: email('busy') }).idSubscription),
    );
    emu.fault({ kind: 'latency', endpoint: 'db-read', latencyMs: READ_LATENCY_MS, count: 10_000 });
    // 500 reads / 32 sockets x 200 ms: about 3 s of queue, longer than the 2 s deadline.
    const reads = Promise.allSettled(subscriptions.map((s) => s.getDb()));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the pool is full and the queue long
    const started = Date.now();
    const login = emu.login({ idGate: GATE.idGate, email: email('other-visitor') });
    const result = await ctx.logup.verify(login.logupToken, false);
    const ms = Date.now() - started;
    expect(result.verified).toBe(true);
    expect(ms).toBeLessThan(1000); // it waited for no DB read
    const settled = await reads;
    expect(settled.filter((r) => r.status === 'rejected')).toEqual([]);
  }, 30_000);
});

describe('DB reads in flight are shared, never across a write', () => {
  it('identical reads in flight share one LogUp read', async () => {
    const sub = ctx.logup.subscription(
      emu.login({ idGate: GATE.idGate, email: email('shared'), db: { plan: 'pro' } }).idSubscription,
    );
    emu.fault({ kind: 'latency', endpoint: 'db-read', latencyMs: READ_LATENCY_MS, count: 10_000 });
    const before = emu.stats().dbReads;
    const results = await Promise.all(Array.from({ length: 300 }, () => sub.getDb(['plan'])));
    expect(results).toEqual(Array(300).fill({ plan: 'pro' }));
    expect(emu.stats().dbReads - before).toBe(1);
    // Each caller has its own object: one cannot change another's.
    expect(new Set(results).size).toBe(300);
  });

  it('a read that starts during or after a write never gets an answer from before it', async () => {
    const login = emu.login({ idGate: GATE.idGate, email: email('rw'), db: { n: 1 } });
    const sub = ctx.logup.subscription(login.idSubscription);
    emu.fault({ kind: 'latency', endpoint: 'db-read', latencyMs: 500, count: 1 });
    const reads = emu.stats().dbReads;
    const before = sub.getDb(); // in flight for 500 ms, reads n: 1
    await new Promise((resolve) => setTimeout(resolve, 50));
    const write = sub.updateDb({ n: 2 });
    const during = sub.getDb(); // starts while the write is in flight
    await write;
    const after = sub.getDb(); // starts after the write ended
    expect(await after).toEqual({ n: 2 });
    await Promise.all([before, during]);
    // Three reads reached LogUp: neither later read joined the one in flight before the write.
    expect(emu.stats().dbReads - reads).toBe(3);
  });
});
