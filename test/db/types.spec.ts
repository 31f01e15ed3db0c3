import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const SCHEMA_SOURCE = {
  zod: `import { z } from 'zod';
const dbSchema = z.object({
  plan: z.enum(['free', 'pro']).default('free'),
  seats: z.number().int().default(1),
  nickname: z.string().optional(),
});`,
  valibot: `import * as v from 'valibot';
const dbSchema = v.object({
  plan: v.optional(v.picklist(['free', 'pro']), 'free'),
  seats: v.optional(v.pipe(v.number(), v.integer()), 1),
  nickname: v.optional(v.string()),
});`,
};

/**
 * An app, written after its schema's source, that registers its schema once (module
 * augmentation, as TanStack Router's `Register`) and then writes no generic anywhere.
 * Every `@ts-expect-error` must be an error, and nothing else may be.
 */
const APP_SOURCE = `import { Controller, Get, UseGuards } from '@nestjs/common';
import { LogupGuard, LogupService, Subscription, type LogupSubscription } from 'nestjs-logup';
import { createTestSubscription } from 'nestjs-logup/testing';

declare module 'nestjs-logup' {
  interface LogupRegister {
    dbSchema: typeof dbSchema;
  }
}

@Controller()
export class AccountController {
  constructor(private readonly logup: LogupService) {}

  @Get('me')
  @UseGuards(LogupGuard)
  async me(@Subscription() subscription: LogupSubscription) {
    const db = await subscription.getDb();
    const plan: 'free' | 'pro' = db.plan; // validated, defaults applied: never undefined
    const seats: number = db.seats;
    const nickname: string | undefined = db.nickname;
    // @ts-expect-error the plan is one of two values, not any string
    const wide: 'free' = db.plan;
    const some = await subscription.getDb(['plan']);
    // @ts-expect-error a read of some keys may miss them
    const maybe: 'free' | 'pro' = some.plan;
    // @ts-expect-error not a key of the DB
    await subscription.getDb(['nope']);
    return { plan, seats, nickname, wide, maybe, snapshot: subscription.db?.plan };
  }

  async write(idSubscription: string) {
    const subscription = this.logup.subscription(idSubscription);
    await subscription.updateDb({ seats: 3 });
    // @ts-expect-error seats is a number
    await subscription.updateDb({ seats: 'many' });
    // @ts-expect-error not a key of the DB
    await subscription.updateDb({ nope: 1 });
    await subscription.changeDb((db) => {
      db.seats += 1;
      db.nickname = undefined;
    });
    // @ts-expect-error a change keeps the types
    await subscription.changeDb((db) => { db.plan = 'gold'; });
    await subscription.deleteDbValues(['nickname']);
    const verification = await this.logup.verify('a'.repeat(32), true);
    if (verification.verified) {
      const seats: number | undefined = verification.subscription.db?.seats;
      return seats;
    }
    return createTestSubscription({ dbSchema, db: { plan: 'pro' } }).changeDb((db) => {
      db.plan = 'free';
    });
  }
}
`;

/** The previous program: the second compile reuses its unchanged files (the library, Nest, the schema libraries). */
let previous: ts.Program | undefined;

function diagnose(vendor: keyof typeof SCHEMA_SOURCE): string[] {
  const dir = join(ROOT, 'test-artifacts', 'db-types', vendor);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'account.controller.ts');
  writeFileSync(file, `${SCHEMA_SOURCE[vendor]}\n${APP_SOURCE}`);
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram([file], { ...parsed.options, noEmit: true }, undefined, previous);
  previous = program;
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) =>
        `${d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
}

describe.each(['zod', 'valibot'] as const)('LogupSubscription typed from a registered dbSchema (%s)', (vendor) => {
  it('types reads, updates, changes and verify() with no generic written', () => {
    expect(diagnose(vendor)).toEqual([]);
  }, 120_000);
});
