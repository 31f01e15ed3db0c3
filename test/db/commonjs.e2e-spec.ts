import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LogupEmulator } from 'logup-emulator';
import { GATE, email, emulator } from '../support/logup-fixture.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CJS = join(ROOT, 'packages', 'nestjs-logup', 'dist', 'cjs', 'index.js');

// A CommonJS app: require() of the built CommonJS output, zod and valibot, and a
// LogupModule with each schema, against the emulator over HTTP.
const SCRIPT = `
require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { LogupModule, LogupService, LogupValidationError, LogupDbSchemaError } = require(${JSON.stringify(CJS)});
const { z } = require('zod');
const v = require('valibot');
const schemas = {
  zod: z.object({
    plan: z.enum(['free', 'pro']).default('free'),
    seats: z.number().int().min(1).default(1),
    credits: z.number().int().min(0).default(0),
  }),
  valibot: v.object({
    plan: v.optional(v.picklist(['free', 'pro']), 'free'),
    seats: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 1),
    credits: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  }),
};
const input = JSON.parse(process.env.LOGUP_TEST_INPUT);
const failure = (promise) => promise.then(() => 'no error', (error) => error);
(async () => {
  const out = { module: typeof module === 'object' && typeof require === 'function' ? 'commonjs' : 'esm' };
  for (const [vendor, dbSchema] of Object.entries(schemas)) {
    const app = await NestFactory.createApplicationContext(
      LogupModule.forRoot({ idGate: input.idGate, secret: input.secret, baseUrl: input.baseUrl, dbSchema }),
      { logger: false },
    );
    const logup = app.get(LogupService);
    const sub = logup.subscription(input[vendor].good);
    const read = await sub.getDb();
    const invalid = await failure(sub.updateDb({ plan: 'gold', seats: 0, ['k'.repeat(33)]: 1 }));
    const changed = await sub.changeDb((db) => { db.credits += 5; });
    const mismatch = await failure(logup.subscription(input[vendor].bad).getDb());
    out[vendor] = {
      read,
      invalid: { validation: invalid instanceof LogupValidationError, paths: invalid.issues.map((i) => i.path) },
      changed,
      mismatch: { schemaError: mismatch instanceof LogupDbSchemaError, code: mismatch.code, paths: mismatch.issues.map((i) => i.path) },
    };
    await app.close();
  }
  console.log(JSON.stringify(out));
})().catch((error) => { console.error(error); process.exit(1); });
`;

describe('a validated DB in a CommonJS app (the built dist/cjs, zod and valibot by require())', () => {
  let emu: LogupEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu?.stop());

  it('validates reads, updates and changes as the ESM build does', async () => {
    if (!existsSync(CJS)) throw new Error(`${CJS} is missing: run npm run build first`);
    const login = (db: Record<string, string | number>) =>
      emu.login({ idGate: GATE.idGate, email: email(), db }).idSubscription;
    const ids = {
      zod: { good: login({ plan: 'pro' }), bad: login({ seats: 'many' }) },
      valibot: { good: login({ plan: 'pro' }), bad: login({ seats: 'many' }) },
    };
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', SCRIPT], {
      cwd: ROOT,
      env: { ...process.env, LOGUP_TEST_INPUT: JSON.stringify({ ...GATE, baseUrl: emu.url, ...ids }) },
    });
    const out = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(out.module).toBe('commonjs');
    for (const vendor of ['zod', 'valibot']) {
      expect(out[vendor]).toEqual({
        read: { plan: 'pro', seats: 1, credits: 0 },
        invalid: {
          validation: true,
          paths: expect.arrayContaining([`key "${'k'.repeat(33)}"`, 'value of "plan"', 'value of "seats"']),
        },
        changed: { plan: 'pro', seats: 1, credits: 5 },
        mismatch: { schemaError: true, code: 'LOGUP_DB_SCHEMA', paths: ['value of "seats"'] },
      });
      expect(emu.db(ids[vendor as 'zod'].good)).toEqual({ plan: 'pro', credits: 5 });
    }
  }, 60_000);
});
