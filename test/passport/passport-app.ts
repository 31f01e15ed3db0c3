import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import session from 'express-session';
import passport from 'passport';
import type { LogupEmulator } from 'logup-emulator';
import { LogupModule, type LogupModuleOptions } from 'nestjs-logup';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE, emulator } from '../support/logup-fixture.js';

/**
 * An Express app on 127.0.0.1 port 0 with a global LogupModule, the given auth module
 * (PassportModule, a LogupStrategy, a PassportSerializer, the controller),
 * express-session and passport sessions.
 */
export async function passportApp(
  emu: LogupEmulator,
  authModule: Type,
  options: Partial<LogupModuleOptions> = {},
  logger = new CaptureLogger(),
): Promise<{ app: INestApplication; base: string }> {
  @Module({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, isGlobal: true, ...options }), authModule],
  })
  class AppModule {}
  const app = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), { logger });
  app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: false, name: 'sid' }));
  app.use(passport.initialize());
  app.use(passport.session());
  await app.listen(0, '127.0.0.1');
  return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

/** Registers hooks that start an emulator and {@link passportApp} on it, and close both. */
export function withPassportApp(authModule: Type): { emu: LogupEmulator; app: INestApplication; base: string } {
  const ctx = {} as { emu: LogupEmulator; app: INestApplication; base: string };
  beforeAll(async () => {
    process.env.LOGUP_LOGIN_URL = 'https://logup.example/login';
    ctx.emu = await emulator();
    Object.assign(ctx, await passportApp(ctx.emu, authModule));
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.emu?.stop();
  });
  return ctx;
}
