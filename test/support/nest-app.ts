// The one way the end-to-end tests start a Nest app: on Express or Fastify, logging
// through the CaptureLogger (whose lines the secret scan reads), on 127.0.0.1 port 0.
import type { INestApplication, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import type { EmulatorOptions, LogupEmulator } from 'logup-emulator';
import { CaptureLogger } from './log-capture.js';
import { emulator } from './logup-fixture.js';

export type Platform = 'express' | 'fastify';
export const PLATFORMS = ['express', 'fastify'] as const;

export interface NestAppOptions<A extends INestApplication> {
  /** Default 'express'. */
  platform?: Platform;
  /** Default: a new CaptureLogger. */
  logger?: LoggerService | false;
  /** Runs after the app is created and before it listens (sessions, middleware, adapters). */
  setup?: (app: A) => unknown;
}

export interface RunningApp<A extends INestApplication = INestApplication> {
  app: A;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/**
 * Creates the app of `module` (a root module class, or a compiled TestingModule) and listens
 * on 127.0.0.1:0; `A` is the app type `setup` receives (NestFastifyApplication on Fastify).
 */
export async function startNestApp<A extends INestApplication = NestExpressApplication>(
  module: Type | TestingModule,
  { platform, logger = new CaptureLogger(), setup }: NestAppOptions<A> = {},
): Promise<RunningApp<A>> {
  const adapter = platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  const app =
    typeof module === 'function'
      ? await NestFactory.create<A>(module, adapter, { logger })
      : module.createNestApplication<A>(adapter, { logger });
  try {
    await setup?.(app);
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
    return { app, url, close: () => app.close() };
  } catch (error) {
    await app.close();
    throw error;
  }
}

/**
 * Registers hooks that start an emulator and, on it, what `start` starts (an app with
 * `close()`), and close both after the block; read them from the returned object in tests.
 */
export function withEmulatorApp<T extends { close(): Promise<void> }>(
  start: (emu: LogupEmulator) => Promise<T>,
  emulatorOptions: Partial<EmulatorOptions> = {},
): T & { emu: LogupEmulator } {
  const ctx = {} as T & { emu: LogupEmulator };
  beforeAll(async () => {
    ctx.emu = await emulator(emulatorOptions);
    Object.assign(ctx, await start(ctx.emu));
  });
  afterAll(async () => {
    await ctx.close?.();
    await ctx.emu?.stop();
  });
  return ctx;
}
