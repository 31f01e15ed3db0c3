import { LogupApiError, LogupValidationError } from 'nestjs-logup';
import { emulatorLog } from '../support/log-capture.js';
import { GATE, OTHER_GATE, email, withLogup } from '../support/logup-fixture.js';

// One emulator and one LogupModule for the DB operations, with fresh stats for every test.
const ctx = withLogup();
beforeEach(() => ctx.emu.resetStats());

const fresh = (db?: Record<string, string | number | boolean>) =>
  ctx.emu.login({ idGate: GATE.idGate, email: email(), db });

describe('subscription DB operations against the emulator', () => {
  it('reads, updates and deletes keys, keeping the snapshot current', async () => {
    const login = fresh({ alreadySubscribed: false });
    const result = await ctx.logup.verify(login.logupToken, true);
    if (!result.verified) throw new Error('not verified');
    const sub = result.subscription;
    await expect(sub.updateDb({ country: 'italy', age: 21, alreadySubscribed: true, empty: '' })).resolves.toEqual({
      alreadySubscribed: true,
      country: 'italy',
      age: 21,
      empty: '',
    });
    expect(sub.db).toEqual({ alreadySubscribed: true, country: 'italy', age: 21, empty: '' });
    expect(Object.isFrozen(sub.db)).toBe(true);
    await expect(sub.getDb(['country', 'missing'])).resolves.toEqual({ country: 'italy' });
    await expect(sub.deleteDbValues(['age', 'empty'])).resolves.toEqual({ alreadySubscribed: true, country: 'italy' });
    expect(sub.db).toEqual({ alreadySubscribed: true, country: 'italy' });
    expect(ctx.emu.db(login.idSubscription)).toEqual({ alreadySubscribed: true, country: 'italy' });
    expect(ctx.emu.stats()).toMatchObject({ dbUpdates: 1, dbReads: 2, dbDeletes: 1 });
  });

  it('works on any subscription by id', async () => {
    const login = fresh({ a: 'b' });
    const sub = ctx.logup.subscription(login.idSubscription);
    expect(sub.db).toBeUndefined();
    expect(sub.idActor).toBeUndefined();
    await expect(sub.getDb()).resolves.toEqual({ a: 'b' });
    expect(sub.db).toEqual({ a: 'b' });
  });

  it('accepts the limits exactly: 32-character keys, 1024-character values, 20 keys', async () => {
    const sub = ctx.logup.subscription(fresh().idSubscription);
    const data = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`${i}`.padStart(32, 'k'), 'é'.repeat(1024)]));
    await expect(sub.updateDb(data)).resolves.toEqual(data);
  });

  it("maps LogUp's own 400 (more than 20 keys in the DB) to LogupApiError with its reason", async () => {
    const sub = ctx.logup.subscription(
      fresh(Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`a${i}`, i]))).idSubscription,
    );
    const error = (await sub
      .updateDb(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`b${i}`, i])))
      .catch((e) => e)) as LogupApiError;
    expect(error).toBeInstanceOf(LogupApiError);
    expect(error).toMatchObject({ status: 400, errorMessage: 'TOO_MANY_KEYS', operation: 'updateDb' });
  });
});

describe('subscription DB operations against the emulator: validated before sending', () => {
  it.each([
    ['a 33-character key', { ['k'.repeat(33)]: 1 }, /key "k{33}" is 33 characters; at most 32/],
    ['an empty key', { '': 1 }, /key "" must not be empty/],
    ['a 1025-character value', { long: 'v'.repeat(1025) }, /value of "long" is 1025 characters; at most 1024/],
    ['a null value', { n: null }, /value of "n" must be a string, a finite number or a boolean, not null/],
    ['an object value', { o: { x: 1 } }, /value of "o" must be .* not object/],
    ['an array value', { arr: [1] }, /value of "arr" must be .* not an array/],
    ['NaN', { nan: Number.NaN }, /value of "nan" must be a finite number/],
    ['Infinity', { inf: Infinity }, /value of "inf" must be a finite number/],
    ['21 keys', Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])), /names 21 keys; at most 20/],
    ['no keys', {}, /must name at least one key/],
    ['an array instead of an object', [['a', 1]], /data must be a plain object/],
    ['a __proto__ key', JSON.parse('{"__proto__": 1}'), /key "__proto__" is reserved/],
  ])('rejects %s before sending anything, and the DB is unchanged', async (_name, data, message) => {
    const login = fresh({ keep: 'me' });
    const sub = ctx.logup.subscription(login.idSubscription);
    const error = await sub.updateDb(data as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogupValidationError);
    expect((error as Error).message).toMatch(message);
    expect(ctx.emu.stats()).toMatchObject({ dbUpdates: 0, requests: 0 });
    expect(ctx.emu.db(login.idSubscription)).toEqual({ keep: 'me' });
  });

  it('lists every offending key at once', async () => {
    const sub = ctx.logup.subscription(fresh().idSubscription);
    const error = (await sub
      .updateDb({ ['x'.repeat(40)]: 1, ok: 1, bad: undefined })
      .catch((e) => e)) as LogupValidationError;
    expect(error.issues).toHaveLength(2);
    expect(error.issues[0].path).toMatch(/^key "x{40}"$/);
    expect(error.issues[1]).toEqual({
      path: 'value of "bad"',
      message: 'must be a string, a finite number or a boolean, not undefined',
    });
  });

  it('validates keys of reads and deletes', async () => {
    const sub = ctx.logup.subscription(fresh().idSubscription);
    await expect(sub.getDb([])).rejects.toThrow(/keys must name at least one key/);
    await expect(sub.getDb(['a,b'])).rejects.toThrow(/keys\[0\] must not contain ","/);
    await expect(sub.deleteDbValues(['ok', 'k'.repeat(33)])).rejects.toThrow(/keys\[1\] is 33 characters/);
    await expect(sub.deleteDbValues('a' as never)).rejects.toThrow(/keys must be an array/);
    expect(ctx.emu.stats().requests).toBe(0);
  });
});

describe("subscription DB operations against the emulator: only the gate's own subscriptions", () => {
  it('never lets an id steer a request to another endpoint', async () => {
    for (const id of ['../oauth/token', '..', 'x/../../v1_1/verification', 'sub?keys=a', 'sub#x']) {
      const sub = (() => {
        try {
          return ctx.logup.subscription(id);
        } catch (error) {
          expect(error).toBeInstanceOf(LogupValidationError);
          return undefined;
        }
      })();
      if (sub) await expect(sub.getDb()).rejects.toMatchObject({ status: 404, errorMessage: 'SUBSCRIPTION_NOT_FOUND' });
    }
    expect(ctx.emu.stats()).toMatchObject({ verifications: 0, dbReads: 0 });
    expect(() => ctx.logup.subscription('')).toThrow(LogupValidationError);
  });

  it("cannot reach another gate's subscription", async () => {
    const other = ctx.emu.login({ idGate: OTHER_GATE.idGate, email: email(), db: { secret: 'theirs' } });
    await expect(ctx.logup.subscription(other.idSubscription).getDb()).rejects.toMatchObject({ status: 404 });
    await expect(ctx.logup.subscription(other.idSubscription).updateDb({ x: 1 })).rejects.toMatchObject({
      status: 404,
    });
    expect(ctx.emu.db(other.idSubscription)).toEqual({ secret: 'theirs' });
  });
});

describe.each(['v1_0', 'v1_1'])('apiVersion %s addresses the DB by subscription', (apiVersion) => {
  const paths: string[] = [];
  const log = (line: string) => {
    paths.push(line);
    emulatorLog(line);
  };
  const ctx = withLogup({ log }, { apiVersion });

  it('uses /subscription/{idSubscription}/db for every operation', async () => {
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email(), db: { a: 1 } });
    const result = await ctx.logup.verify(login.logupToken, false);
    if (!result.verified) throw new Error('not verified');
    await result.subscription.updateDb({ b: 2 });
    await result.subscription.deleteDbValues(['a']);
    expect(await result.subscription.getDb()).toEqual({ b: 2 });
    const dbCalls = paths.filter((p) => p.includes('/db') && p.includes(login.idSubscription));
    expect(dbCalls.length).toBe(4);
    for (const line of dbCalls) expect(line).toContain(`/${apiVersion}/subscription/${login.idSubscription}/db`);
    expect(paths.some((p) => p.includes('/actor/'))).toBe(false);
  });

  it('works on a subscription picked by id alone', async () => {
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email(), db: { a: 1 } });
    await expect(ctx.logup.subscription(login.idSubscription).getDb()).resolves.toEqual({ a: 1 });
  });
});
