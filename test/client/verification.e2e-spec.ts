import { LogupSubscription, LogupValidationError } from 'nestjs-logup';
import { GATE, OTHER_GATE, email, withLogup } from '../support/logup-fixture.js';

// One emulator and one LogupModule for every test, with fresh stats for each.
const ctx = withLogup();
beforeEach(() => ctx.emu.resetStats());

describe('LogupService.verify against the emulator', () => {
  it('verifies a minted token and returns the subscription with its DB', async () => {
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email(), db: { country: 'italy', age: 20 } });
    const result = await ctx.logup.verify(login.logupToken, false);
    expect(result.verified).toBe(true);
    if (!result.verified) return;
    expect(result.subscription).toBeInstanceOf(LogupSubscription);
    expect(result.subscription.idSubscription).toBe(login.idSubscription);
    expect(result.subscription.idActor).toBe(login.idActor);
    expect(result.subscription.isNewUser).toBe(false);
    expect(result.subscription.db).toEqual({ country: 'italy', age: 20 });
    expect(JSON.parse(JSON.stringify(result.subscription))).toEqual({
      idSubscription: login.idSubscription,
      idActor: login.idActor,
      isNewUser: false,
      db: { country: 'italy', age: 20 },
    });
  });

  it('keeps isNewUser from the callback, not from LogUp', async () => {
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email(), isNewUser: false });
    const result = await ctx.logup.verify(login.logupToken, true);
    expect(result.verified && result.subscription.isNewUser).toBe(true);
  });

  it('keeps concurrent verifications of different visitors apart', async () => {
    const logins = Array.from({ length: 40 }, (_, i) =>
      ctx.emu.login({ idGate: GATE.idGate, email: email(`concurrent${i}`), db: { n: i } }),
    );
    const results = await Promise.all(logins.map((l, i) => ctx.logup.verify(l.logupToken, i % 2 === 0)));
    results.forEach((result, i) => {
      expect(result.verified).toBe(true);
      if (!result.verified) return;
      expect(result.subscription.idSubscription).toBe(logins[i].idSubscription);
      expect(result.subscription.db).toEqual({ n: i });
      expect(result.subscription.isNewUser).toBe(i % 2 === 0);
    });
    expect(ctx.emu.stats().verifications).toBe(40);
  });
});

describe('LogupService.verify against the emulator: what it does not verify', () => {
  it("answers verified: false with LogUp's reason for a used token", async () => {
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email() });
    expect((await ctx.logup.verify(login.logupToken, true)).verified).toBe(true);
    await expect(ctx.logup.verify(login.logupToken, true)).resolves.toEqual({
      verified: false,
      errorMessage: 'INVALID_LOGUP_TOKEN',
    });
  });

  it('does not verify a token minted for another gate', async () => {
    const login = ctx.emu.login({ idGate: OTHER_GATE.idGate, email: email() });
    await expect(ctx.logup.verify(login.logupToken, true)).resolves.toEqual({
      verified: false,
      errorMessage: 'INVALID_LOGUP_TOKEN',
    });
  });

  it('rejects malformed input without calling LogUp', async () => {
    for (const [token, isNewUser] of [
      ['', true],
      ['short', true],
      ['x'.repeat(3000), true],
      ['abc def ghi jkl mno pqr', true],
      [123, true],
      ['a'.repeat(128), 'true'],
    ] as const) {
      await expect(ctx.logup.verify(token as string, isNewUser as boolean)).rejects.toBeInstanceOf(
        LogupValidationError,
      );
    }
    expect(ctx.emu.stats().verifications + ctx.emu.stats().tokenGrants).toBe(0);
  });

  it('names every problem in a validation error', async () => {
    const error = await ctx.logup.verify('short', 'yes' as unknown as boolean).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogupValidationError);
    expect((error as LogupValidationError).issues.map((i) => i.path)).toEqual(['logupToken', 'isNewUser']);
    expect((error as Error).message).toMatch(
      /logupToken must be 16 to 2048 characters long; isNewUser must be a boolean/,
    );
  });
});
