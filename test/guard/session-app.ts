import { Controller, Get, Module, Post, Req, UseGuards } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
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
import { LoginRoutes } from '../support/login-routes.js';
import { GATE } from '../support/logup-fixture.js';
import { startNestApp, type RunningApp } from '../support/nest-app.js';
import { useCookieSession, useExpressSession, useSecureSession } from '../support/sessions.js';

@Controller()
class SessionController {
  constructor(private readonly logup: LogupService) {}

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
): Promise<RunningApp> {
  @Module({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, ...options })],
    controllers: [LoginRoutes, SessionController],
  })
  class AppModule {}
  if (kind === 'fastify-secure-session') {
    return startNestApp(AppModule, {
      platform: 'fastify',
      logger,
      setup: (app: NestFastifyApplication) => useSecureSession(app, { cookieName: 'sid' }),
    });
  }
  return startNestApp(AppModule, {
    logger,
    setup: (app: NestExpressApplication) => {
      if (kind === 'express-session') useExpressSession(app, { saveUninitialized: true, name: 'sid' });
      else if (kind === 'cookie-session') useCookieSession(app);
    },
  });
}
