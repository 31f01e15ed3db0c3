import type { IncomingMessage } from 'node:http';
import { Controller, Get, HttpCode, Module, Param, Post, Req, UseGuards, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { WsAdapter } from '@nestjs/platform-ws';
import { SubscribeMessage, WebSocketGateway, MessageBody, type OnGatewayConnection } from '@nestjs/websockets';
import type { LogupEmulator } from 'logup-emulator';
import {
  CurrentSubscription,
  LogupGuard,
  LogupModule,
  LogupOptional,
  LogupService,
  useLogupSockets,
  type LogupModuleOptions,
  type LogupSubscription,
} from 'nestjs-logup';
import { CaptureLogger } from '../support/log-capture.js';
import { LoginRoutes } from '../support/login-routes.js';
import { GATE } from '../support/logup-fixture.js';
import { startNestApp, type Platform, type RunningApp } from '../support/nest-app.js';
import { useExpressSession, useSecureSession } from '../support/sessions.js';

export type { Platform } from '../support/nest-app.js';
export type SocketKind = 'socket.io' | 'ws';

@Controller()
class HttpController {
  constructor(private readonly logup: LogupService) {}

  @UseGuards(LogupGuard)
  @Get('me')
  me(@CurrentSubscription('idSubscription') idSubscription: string) {
    return { idSubscription };
  }

  @LogupOptional()
  @UseGuards(LogupGuard)
  @Get('maybe')
  maybe(@CurrentSubscription() subscription: LogupSubscription | undefined) {
    return { idSubscription: subscription?.idSubscription ?? null };
  }

  @Post('logout')
  @HttpCode(200)
  async logout(@Req() request: unknown) {
    return { ended: await this.logup.logout(request) };
  }

  @UseGuards(LogupGuard)
  @Post('logout-everywhere')
  @HttpCode(200)
  async everywhere(@CurrentSubscription('idSubscription') idSubscription: string) {
    await this.logup.signOutEverywhere(idSubscription);
    return { ok: true };
  }

  /** An operator's sign-out (no session needed), as another replica would do it. */
  @Post('operator/sign-out/:id')
  @HttpCode(200)
  async operator(@Param('id') id: string) {
    await this.logup.signOutEverywhere(id);
    return { ok: true };
  }
}

/** Where the gateways listen: socket.io namespaces, or `ws` paths. */
const where = (kind: SocketKind, name: string) => (kind === 'ws' ? { path: `/${name}` } : { namespace: name });

function gateways(kind: SocketKind) {
  @UseGuards(LogupGuard)
  @WebSocketGateway(where(kind, 'live'))
  class LiveGateway implements OnGatewayConnection {
    constructor(private readonly logup: LogupService) {}

    handleConnection(client: object, request?: IncomingMessage) {
      return this.logup.authenticateSocket(client, request);
    }

    @SubscribeMessage('whoami')
    whoami(@CurrentSubscription() subscription: LogupSubscription) {
      return { event: 'whoami', data: { idSubscription: subscription.idSubscription } };
    }

    @SubscribeMessage('db')
    async db(@CurrentSubscription() subscription: LogupSubscription, @MessageBody() body: { key?: string }) {
      if (body?.key) await subscription.updateDb({ [body.key]: 'from-socket' });
      return { event: 'db', data: await subscription.getDb() };
    }
  }

  @LogupOptional()
  @UseGuards(LogupGuard)
  @WebSocketGateway(where(kind, 'public'))
  class PublicGateway implements OnGatewayConnection {
    constructor(private readonly logup: LogupService) {}

    handleConnection(client: object, request?: IncomingMessage) {
      return this.logup.authenticateSocket(client, request, { optional: true });
    }

    @SubscribeMessage('hello')
    hello(@CurrentSubscription() subscription: LogupSubscription | undefined) {
      return { event: 'hello', data: { idSubscription: subscription?.idSubscription ?? null } };
    }
  }
  return [LiveGateway, PublicGateway];
}

/**
 * An app with LogupModule, HTTP login/logout/sign-out-everywhere routes, and two
 * gateways behind LogupGuard (`live`: login required; `public`: `@LogupOptional()`),
 * on Express (express-session) or Fastify (@fastify/secure-session), with the
 * socket.io or `ws` adapter.
 */
export async function socketsApp(
  emu: LogupEmulator,
  platform: Platform,
  kind: SocketKind,
  options: Partial<LogupModuleOptions> = {},
  logger = new CaptureLogger(),
): Promise<RunningApp & { logger: CaptureLogger }> {
  @Module({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, ...options })],
    controllers: [LoginRoutes, HttpController],
    providers: gateways(kind),
  })
  class AppModule {}
  const sockets = (app: INestApplication) =>
    app.useWebSocketAdapter(kind === 'ws' ? new WsAdapter(app) : new IoAdapter(app));
  const running =
    platform === 'fastify'
      ? await startNestApp(AppModule, {
          platform,
          logger,
          setup: async (app: NestFastifyApplication) => {
            await useSecureSession(app, { cookieName: 'sid' });
            useLogupSockets(app);
            sockets(app);
          },
        })
      : await startNestApp(AppModule, {
          logger,
          setup: (app: NestExpressApplication) => {
            useLogupSockets(app, {
              sessionMiddleware: useExpressSession(app, { saveUninitialized: true, name: 'sid' }),
            });
            sockets(app);
          },
        });
  return { ...running, logger };
}
