import { createHash } from 'node:crypto';
import { Controller, Get, Module, Post, Req, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import session from 'express-session';
import type { LogupEmulator } from 'logup-emulator';
import {
  LogupGuard,
  LogupModule,
  LogupService,
  Subscription,
  type LogupModuleOptions,
  type LogupSubscription,
} from 'nestjs-logup';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE } from '../support/logup-fixture.js';

@Controller()
class SessionController {
  constructor(private readonly logup: LogupService) {}

  @Get('logup/login')
  start(@Req() request: unknown) {
    return { nonce: this.logup.startLogin(request)?.nonce ?? null };
  }

  @UseGuards(LogupGuard)
  @Get('logup/callback')
  callback(@Subscription('idSubscription') idSubscription: string) {
    return { idSubscription };
  }

  @UseGuards(LogupGuard)
  @Get('me')
  me(@Subscription() subscription: LogupSubscription) {
    const { idSubscription, idActor, isNewUser } = subscription;
    return { idSubscription, idActor, isNewUser };
  }

  @Post('logout')
  async logout(@Req() request: unknown) {
    return { ended: await this.logup.logout(request) };
  }

  @Get('visit')
  visit(@Req() request: { session?: { set?: (k: string, v: unknown) => void; visited?: boolean } }) {
    // Touch the session so that it exists (and gets a cookie) before login.
    if (typeof request.session?.set === 'function') request.session.set('visited', true);
    else if (request.session) request.session.visited = true;
    return { ok: true };
  }
}

export type SessionKind = 'express-session' | 'cookie-session' | 'fastify-secure-session' | 'none';

/**
 * A small app with LogupModule, a login start route, the callback, a protected
 * route and logout, on the given session middleware.
 */
export async function sessionApp(
  emu: LogupEmulator,
  kind: SessionKind,
  options: Partial<LogupModuleOptions> = {},
  logger = new CaptureLogger(),
): Promise<{ app: INestApplication; base: string }> {
  @Module({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, ...options })],
    controllers: [SessionController],
  })
  class AppModule {}
  let app: INestApplication;
  if (kind === 'fastify-secure-session') {
    const fastify = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger });
    const { default: secureSession } = await import('@fastify/secure-session');
    await fastify.register(secureSession as never, {
      cookieName: 'sid',
      key: createHash('sha256').update('test-session-key').digest(),
      cookie: { path: '/', httpOnly: true, sameSite: 'lax' },
    });
    app = fastify;
  } else {
    const express = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), { logger });
    if (kind === 'express-session') {
      express.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: true, name: 'sid' }));
    } else if (kind === 'cookie-session') {
      const { default: cookieSession } = await import('cookie-session');
      express.use(cookieSession({ name: 'sid', keys: ['test-cookie-session-key'], sameSite: 'lax' }));
    }
    app = express;
  }
  await app.listen(0, '127.0.0.1');
  return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}
