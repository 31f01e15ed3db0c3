import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Controller, Get, HttpCode, Module, Param, Post, Req, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { WsAdapter } from '@nestjs/platform-ws';
import { SubscribeMessage, WebSocketGateway, MessageBody, type OnGatewayConnection } from '@nestjs/websockets';
import session from 'express-session';
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
import { GATE } from '../support/logup-fixture.js';

export type Platform = 'express' | 'fastify';
export type SocketKind = 'socket.io' | 'ws';

@Controller()
class HttpController {
  constructor(private readonly logup: LogupService) {}

  @Get('logup/login')
  async start(@Req() request: unknown) {
    return { nonce: (await this.logup.startLogin(request))?.nonce ?? null };
  }

  @UseGuards(LogupGuard)
  @Get('logup/callback')
  callback(@CurrentSubscription('idSubscription') idSubscription: string) {
    return { idSubscription };
  }

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
): Promise<{ app: INestApplication; base: string; logger: CaptureLogger }> {
  @Module({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, ...options })],
    controllers: [HttpController],
    providers: gateways(kind),
  })
  class AppModule {}
  let app: INestApplication;
  if (platform === 'fastify') {
    const fastify = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger });
    const { default: secureSession } = await import('@fastify/secure-session');
    await fastify.register(secureSession as never, {
      cookieName: 'sid',
      key: createHash('sha256').update('test-session-key').digest(),
      cookie: { path: '/', httpOnly: true, sameSite: 'lax' },
    });
    useLogupSockets(fastify);
    app = fastify;
  } else {
    const express = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), { logger });
    const sessionMiddleware = session({
      secret: 'test-session-secret',
      resave: false,
      saveUninitialized: true,
      name: 'sid',
    });
    express.use(sessionMiddleware);
    useLogupSockets(express, { sessionMiddleware });
    app = express;
  }
  app.useWebSocketAdapter(kind === 'ws' ? new WsAdapter(app) : new IoAdapter(app));
  await app.listen(0, '127.0.0.1');
  return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1'), logger };
}
