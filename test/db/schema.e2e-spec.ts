import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import type { LogupEmulator } from 'logup-emulator';
import {
  LogupConfigurationError,
  LogupDbSchemaError,
  LogupModule,
  LogupService,
  LogupValidationError,
  getLogupConfigToken,
  type LogupDbType,
  type LogupSubscription,
} from 'nestjs-logup';
import { z } from 'zod';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE, email, emulator, logupContext, withEmulator } from '../support/logup-fixture.js';
import { SCHEMAS, zodDbSchema } from './db-fixture.js';

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

type Stored = Record<string, string | number | boolean>;

/** Registers hooks that start an emulator and a LogupModule context with `dbSchema` on it, and close both. */
function withSchemaDb<S extends LogupDbType>(dbSchema: S) {
  const db = { lines: [] as string[] } as {
    emu: LogupEmulator;
    app: INestApplicationContext;
    logup: LogupService;
    lines: string[];
    /** A visitor whose DB in LogUp is `stored`. */
    stored(stored?: Stored): ReturnType<LogupEmulator['login']>;
    /** The subscription of a visitor whose DB in LogUp is `stored`. */
    subscription(stored?: Stored): LogupSubscription<S>;
  };
  beforeAll(async () => {
    db.emu = await emulator();
    const logger = new CaptureLogger((line) => db.lines.push(line));
    ({ app: db.app, logup: db.logup } = await logupContext(db.emu, { dbSchema: dbSchema as never }, logger));
  });
  afterAll(async () => {
    await db.app?.close();
    await db.emu?.stop();
  });
  beforeEach(() => db.emu.resetStats());
  db.stored = (stored = {}) => db.emu.login({ idGate: GATE.idGate, email: email(), db: stored });
  db.subscription = (stored) => db.logup.subscription<S>(db.stored(stored).idSubscription);
  return db;
}

describe.each(SCHEMAS)('a DB validated with dbSchema: reads and logins (%s)', (_vendor, dbSchema) => {
  const db = withSchemaDb(dbSchema);

  it("applies the schema's defaults to a DB read, without writing them", async () => {
    const login = db.stored({ plan: 'pro' });
    const sub = db.logup.subscription<typeof dbSchema>(login.idSubscription);
    await expect(sub.getDb()).resolves.toEqual({ plan: 'pro', seats: 1, credits: 0 });
    expect(sub.db).toEqual({ plan: 'pro', seats: 1, credits: 0 });
    expect(db.emu.db(login.idSubscription)).toEqual({ plan: 'pro' });
    expect(db.emu.stats()).toMatchObject({ dbReads: 1, dbUpdates: 0 });
  });

  it('throws a typed error naming every key of a db.stored DB that does not match', async () => {
    const sub = db.subscription({ plan: 'gold', seats: 'many', credits: 3 });
    const error = (await failure(sub.getDb())) as LogupDbSchemaError;
    expect(error).toBeInstanceOf(LogupDbSchemaError);
    expect(error).toMatchObject({ code: 'LOGUP_DB_SCHEMA', operation: 'getDb', applied: false });
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['value of "plan"', 'value of "seats"']);
    expect(error.message).toContain(sub.idSubscription);
    expect(sub.db).toBeUndefined();
  });

  it('checks each key of a partial read, and leaves out the defaults', async () => {
    const sub = db.subscription({ plan: 'gold', seats: 2 });
    await expect(sub.getDb(['seats', 'credits'])).resolves.toEqual({ seats: 2 });
    const error = (await failure(sub.getDb(['plan']))) as LogupDbSchemaError;
    expect(error).toBeInstanceOf(LogupDbSchemaError);
    expect(error.issues.map((issue) => issue.path)).toEqual(['value of "plan"']);
  });

  it('still logs a visitor in whose DB does not match: no snapshot, a warning, and getDb() says why', async () => {
    const login = db.stored({ seats: -4 });
    const result = await db.logup.verify<typeof dbSchema>(login.logupToken, false);
    if (!result.verified) throw new Error('not verified');
    expect(result.subscription.db).toBeUndefined();
    expect(db.lines.some((line) => line.startsWith('WARN') && line.includes('value of "seats"'))).toBe(true);
    await expect(result.subscription.getDb()).rejects.toBeInstanceOf(LogupDbSchemaError);
  });

  it("gives a verified visitor's DB with the defaults applied", async () => {
    const result = await db.logup.verify<typeof dbSchema>(db.stored({ nickname: 'Ada' }).logupToken, true);
    if (!result.verified) throw new Error('not verified');
    expect(result.subscription.db).toEqual({ plan: 'free', seats: 1, credits: 0, nickname: 'Ada' });
  });
});

/** An update that breaks both the schema and LogUp's limits. */
const BREAKING_UPDATE = { plan: 'gold', seats: 0, nickname: 'x'.repeat(1025), ['k'.repeat(33)]: true, beta: null };

describe.each(SCHEMAS)('a DB validated with dbSchema: updates (%s)', (_vendor, dbSchema) => {
  const db = withSchemaDb(dbSchema);

  it("rejects an update breaking the schema and LogUp's limits with one error listing all, sending nothing", async () => {
    const login = db.stored({ plan: 'pro' });
    const sub = db.logup.subscription<typeof dbSchema>(login.idSubscription);
    const error = (await failure(sub.updateDb(BREAKING_UPDATE as never))) as LogupValidationError;
    expect(error).toBeInstanceOf(LogupValidationError);
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'value of "nickname"', // LogUp's limit: 1,025 characters ...
        `key "${'k'.repeat(33)}"`, // ... and a 33-character key
        'value of "beta"', // null is no LogUp value
        'value of "plan"', // the schema: not 'free' or 'pro'
        'value of "seats"', // the schema: at least 1
      ]),
    );
    expect(error.issues.filter((issue) => issue.path === 'value of "nickname"')).toHaveLength(2);
    expect(error.message).toContain('is 1025 characters; at most 1024');
    expect(db.emu.stats().apiRequests).toBe(0);
    expect(db.emu.db(login.idSubscription)).toEqual({ plan: 'pro' });
  });

  it('checks only the keys an update names: the others keep their defaults', async () => {
    const sub = db.subscription({});
    await expect(sub.updateDb({ nickname: 'Ada' })).resolves.toEqual({
      plan: 'free',
      seats: 1,
      credits: 0,
      nickname: 'Ada',
    });
  });

  it('repairs a DB that does not match with updateDb, key by key', async () => {
    const sub = db.subscription({ plan: 'gold', seats: 0 });
    const halfway = (await failure(sub.updateDb({ plan: 'pro' }))) as LogupDbSchemaError;
    expect(halfway).toBeInstanceOf(LogupDbSchemaError);
    expect(halfway).toMatchObject({ applied: true, operation: 'updateDb' });
    expect(halfway.issues.map((issue) => issue.path)).toEqual(['value of "seats"']);
    await expect(sub.updateDb({ seats: 2 })).resolves.toEqual({ plan: 'pro', seats: 2, credits: 0 });
  });
});

describe.each(SCHEMAS)('a DB validated with dbSchema: changes (%s)', (_vendor, dbSchema) => {
  const db = withSchemaDb(dbSchema);

  it('checks the whole DB a change produces, and sends nothing when it does not match', async () => {
    const login = db.stored({ plan: 'pro', seats: 3 });
    const sub = db.logup.subscription<typeof dbSchema>(login.idSubscription);
    const error = (await failure(
      sub.changeDb((db) => {
        db.seats = 0;
        db.plan = 'gold' as never;
        db.nickname = 'n'.repeat(1100);
      }),
    )) as LogupValidationError;
    expect(error).toBeInstanceOf(LogupValidationError);
    // nickname twice: longer than the schema's 40 and than LogUp's 1,024 characters.
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'value of "nickname"',
      'value of "nickname"',
      'value of "plan"',
      'value of "seats"',
    ]);
    expect(db.emu.stats()).toMatchObject({ dbReads: 1, dbUpdates: 0, dbDeletes: 0 });
    expect(db.emu.db(login.idSubscription)).toEqual({ plan: 'pro', seats: 3 });
  });

  it('changes a validated DB and writes only what the change touched (not the defaults)', async () => {
    const login = db.stored({ plan: 'pro' });
    const sub = db.logup.subscription<typeof dbSchema>(login.idSubscription);
    await expect(
      sub.changeDb((db) => {
        db.credits += 10;
      }),
    ).resolves.toEqual({ plan: 'pro', seats: 1, credits: 10 });
    expect(db.emu.db(login.idSubscription)).toEqual({ plan: 'pro', credits: 10 });
  });
});

const option = withEmulator();
/** A testing module with LogupModule and `dbSchema`, compiled (not initialised). */
const boot = (dbSchema: unknown) =>
  Test.createTestingModule({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: option.emu.url, dbSchema: dbSchema as never })],
  })
    .setLogger(new CaptureLogger())
    .compile();

describe('dbSchema, the option, at boot', () => {
  it.each([
    ['a plain object', { plan: 'string' }],
    ['a zod-like object without ~standard', { parse: () => ({}) }],
    ['a function', () => true],
  ])('refuses %s at boot, saying what it must be', async (_name, dbSchema) => {
    const error = await failure(boot(dbSchema));
    expect(error).toBeInstanceOf(LogupConfigurationError);
    expect((error as Error).message).toContain('"dbSchema": must be a Standard Schema');
  });

  it('keeps the schema out of logs and JSON of the configuration', async () => {
    const moduleRef = await boot(zodDbSchema);
    const config = moduleRef.get(getLogupConfigToken());
    expect(JSON.stringify(config)).toContain('"dbSchema":"[dbSchema zod]"');
    await moduleRef.close();
  });
});

describe('dbSchema, the option, on a login and an update', () => {
  it('logs a visitor in even when the schema throws on their DB', async () => {
    const throwing = z.object({
      plan: z.string().transform(() => {
        throw new TypeError('a bug in the app');
      }),
    });
    const moduleRef = await boot(throwing);
    const app = await moduleRef.init();
    const login = option.emu.login({ idGate: GATE.idGate, email: email(), db: { plan: 'pro' } });
    const result = await app.get(LogupService).verify(login.logupToken, false);
    expect(result.verified && result.subscription.db).toBeUndefined();
    expect(result.verified).toBe(true);
    await app.close();
  });

  it('awaits an async schema before sending', async () => {
    const asyncSchema = z.object({
      nickname: z
        .string()
        .optional()
        .refine((name) => Promise.resolve(name !== 'admin'), 'is taken'),
    });
    const moduleRef = await boot(asyncSchema);
    const app = await moduleRef.init();
    const login = option.emu.login({ idGate: GATE.idGate, email: email(), db: {} });
    const sub = app.get(LogupService).subscription<typeof asyncSchema>(login.idSubscription);
    option.emu.resetStats();
    await expect(sub.updateDb({ nickname: 'admin' })).rejects.toThrow('value of "nickname" is taken');
    expect(option.emu.stats().apiRequests).toBe(0);
    await expect(sub.updateDb({ nickname: 'ada' })).resolves.toEqual({ nickname: 'ada' });
    await app.close();
  });
});
