import type { LogupEmulator } from 'logup-emulator';
import { LogupCredentialsError, LogupError } from 'nestjs-logup';
import { onControlledClock } from '../support/fake-date.js';
import { GATE, email, emulator, logupContext } from '../support/logup-fixture.js';

// Every test starts its own emulator (some need their own token lifetime) and stops it after.
const contexts: { close(): Promise<void> }[] = [];
let emu: LogupEmulator;

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  await emu?.stop();
});

async function setup(tokenTtlSeconds?: number, options = {}) {
  emu = await emulator({ accessTokenTtlSeconds: tokenTtlSeconds });
  const ctx = await logupContext(emu, options);
  contexts.push(ctx.app);
  return ctx.logup;
}

describe('access token handling against the emulator: one token, one pool', () => {
  it('fetches one token for many calls', async () => {
    const logup = await setup();
    const sub = emu.login({ idGate: GATE.idGate, email: email() });
    for (let i = 0; i < 10; i++) await logup.subscription(sub.idSubscription).getDb();
    expect(emu.stats()).toMatchObject({ tokenGrants: 1, dbReads: 10 });
  });

  it('fetches the token once for dozens of concurrent first calls (single flight)', async () => {
    const logup = await setup();
    emu.fault({ kind: 'latency', endpoint: 'token', latencyMs: 100 });
    const logins = Array.from({ length: 60 }, (_, i) => emu.login({ idGate: GATE.idGate, email: email(`sf${i}`) }));
    const results = await Promise.all(logins.map((l) => logup.verify(l.logupToken, false)));
    expect(results.every((r) => r.verified)).toBe(true);
    expect(emu.stats().tokenGrants).toBe(1);
  });

  it('reuses keep-alive connections', async () => {
    const logup = await setup(undefined, { maxSockets: 4 });
    const sub = logup.subscription(emu.login({ idGate: GATE.idGate, email: email() }).idSubscription);
    for (let i = 0; i < 200; i++) await sub.getDb();
    // Different keys: identical reads in flight would share one call.
    await Promise.all(Array.from({ length: 50 }, (_, i) => sub.getDb([`key${i}`])));
    expect(emu.stats().dbReads).toBe(250);
    // At most 4 for the DB calls, and the login pool's one for the access token.
    expect(emu.stats().connections).toBeLessThanOrEqual(4 + 1);
  });
});

describe('access token handling against the emulator: renewal and refused credentials', () => {
  it('renews the token before it expires: 10 % of its lifetime early, never after a 401', async () => {
    // A controllable clock: only Date is faked, so sockets and timers run for real.
    await onControlledClock(async (advance) => {
      const logup = await setup(100);
      const sub = logup.subscription(emu.login({ idGate: GATE.idGate, email: email() }).idSubscription);
      await sub.getDb();
      // 100 s lifetime: renewed from 90 s on.
      advance(89_900);
      await sub.getDb();
      expect(emu.stats().tokenGrants).toBe(1);
      advance(200);
      await sub.getDb();
      // Renewed ahead of expiry (the emulator shares this clock), never answered 401.
      expect(emu.stats()).toMatchObject({ tokenGrants: 2, rejected: 0, dbReads: 3 });
    });
  });

  it('renews once and retries once when a call answers 401 (revoked token)', async () => {
    const logup = await setup();
    const login = emu.login({ idGate: GATE.idGate, email: email() });
    const sub = logup.subscription(login.idSubscription);
    await sub.getDb();
    emu.revokeAccessTokens();
    await expect(sub.updateDb({ a: 1 })).resolves.toEqual({ a: 1 });
    // A verification after revocation is safe to repeat too: LogUp refused it before processing.
    emu.revokeAccessTokens();
    const result = await logup.verify(emu.login({ idGate: GATE.idGate, email: email() }).logupToken, true);
    expect(result.verified).toBe(true);
    expect(emu.stats()).toMatchObject({ tokenGrants: 3, rejected: 2 });
  });

  it('reports rejected gate credentials without the secret, and fetches again next time', async () => {
    const logup = await setup(undefined, { secret: 'secret_wrong_value_123' });
    const login = emu.login({ idGate: GATE.idGate, email: email() });
    const error = await logup.verify(login.logupToken, true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogupCredentialsError);
    expect(error).toBeInstanceOf(LogupError);
    expect((error as Error).message).toContain('gate_test');
    expect((error as Error).message).toContain('INVALID_CLIENT');
    const everything = JSON.stringify(error) + String(error) + (error as Error).stack;
    expect(everything).not.toContain('secret_wrong_value_123');
    await expect(logup.verify(login.logupToken, true)).rejects.toBeInstanceOf(LogupCredentialsError);
    expect(emu.stats()).toMatchObject({ tokenGrants: 0, verifications: 0 });
  });
});
