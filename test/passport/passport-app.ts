import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import session from 'express-session';
import passport from 'passport';
import type { LogupEmulator } from 'logup-emulator';
import { LogupModule, type LogupModuleOptions } from 'nestjs-logup';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE } from '../support/logup-fixture.js';
import { AuthController } from './auth.controller.js';

/**
 * An Express app on 127.0.0.1 port 0 with LogupModule, @nestjs/passport, the given
 * LogupStrategy and PassportSerializer, express-session and passport sessions.
 */
export async function passportApp(
  emu: LogupEmulator,
  providers: { strategy: Type; serializer: Type },
  options: Partial<LogupModuleOptions> = {},
  logger = new CaptureLogger(),
): Promise<{ app: INestApplication; base: string }> {
  @Module({
    imports: [
      LogupModule.forRoot({ ...GATE, baseUrl: emu.url, ...options }),
      PassportModule.register({ session: true }),
    ],
    controllers: [AuthController],
    providers: [providers.strategy, providers.serializer],
  })
  class AppModule {}
  const app = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), { logger });
  app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: false, name: 'sid' }));
  app.use(passport.initialize());
  app.use(passport.session());
  await app.listen(0, '127.0.0.1');
  return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}
