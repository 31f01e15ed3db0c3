import { createHash } from 'node:crypto';
import { Controller, Get, Module, Req, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import cookieSession from 'cookie-session';
import session from 'express-session';
import type { LogupEmulator } from 'logup-emulator';
import { LogupGuard, LogupModule, LogupService, Subscription } from 'nestjs-logup';
import { CaptureLogger } from './log-capture.js';
import { GATE } from './logup-fixture.js';

export { LOGIN_VALUE_KEYS, PENDING_VALUE_KEYS } from './session-shape.mjs';

/** The four session libraries the README names. */
export const SESSION_STORES = [
  'express-session',
  'cookie-session',
  '@fastify/secure-session',
  '@fastify/session',
] as const;
export type SessionStoreKind = (typeof SESSION_STORES)[number];

const SECRET = 'session-store-test-secret-0123456789abcdef';

@Controller()
class LoginController {
  constructor(private readonly logup: LogupService) {}

  @Get('logup/login')
  async start(@Req() request: unknown) {
    return { nonce: (await this.logup.startLogin(request))?.nonce ?? null };
  }

  @UseGuards(LogupGuard)
  @Get('logup/callback')
  callback(@Subscription('idSubscription') idSubscription: string) {
    return { idSubscription };
  }
}

export interface SessionStoreApp {
  app: INestApplication;
  base: string;
  /** The session data this app's store holds for a response's cookies (decoded, as plain JSON). */
  read(cookieHeader: string): Record<string, unknown> | undefined;
  /** Session ids the store holds (server-side stores only; cookie stores have none). */
  ids(): string[];
}

/** An app with LogupModule on the given session library, and a way to read what that library stores. */
export async function sessionStoreApp(emu: LogupEmulator, kind: SessionStoreKind): Promise<SessionStoreApp> {
  @Module({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, sessionMaxAgeSeconds: 3600 })],
    controllers: [LoginController],
  })
  class AppModule {}
  const logger = new CaptureLogger();
  const cookie = (header: string, name: string) =>
    header
      .split('; ')
      .find((pair) => pair.startsWith(`${name}=`))
      ?.slice(name.length + 1);
  const plain = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as Record<string, unknown> | null;

  if (kind === 'express-session' || kind === 'cookie-session') {
    const app = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), { logger });
    const store = new session.MemoryStore();
    if (kind === 'express-session') {
      app.use(session({ secret: SECRET, resave: false, saveUninitialized: true, name: 'sid', store }));
    } else {
      app.use(cookieSession({ name: 'sess', keys: [SECRET], httpOnly: true, sameSite: 'lax' }));
    }
    await app.listen(0, '127.0.0.1');
    const memory = (store as unknown as { sessions: Record<string, string> }).sessions;
    return {
      app,
      base: (await app.getUrl()).replace('[::1]', '127.0.0.1'),
      ids: () => (kind === 'express-session' ? Object.keys(memory) : []),
      read: (header) => {
        if (kind === 'cookie-session') {
          // cookie-session keeps the whole session in the cookie, base64 JSON (signed, not encrypted).
          const value = cookie(header, 'sess');
          return value
            ? (JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Record<string, unknown>)
            : undefined;
        }
        const signed = decodeURIComponent(cookie(header, 'sid') ?? '');
        const id = signed.startsWith('s:') ? signed.slice(2, signed.lastIndexOf('.')) : undefined;
        return id && memory[id] ? (JSON.parse(memory[id]) as Record<string, unknown>) : undefined;
      },
    };
  }

  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger });
  const fastify = app.getHttpAdapter().getInstance() as unknown as {
    decodeSecureSession(cookie: string): { data(): unknown } | null;
  };
  const memory = new Map<string, unknown>();
  if (kind === '@fastify/secure-session') {
    const { default: secureSession } = await import('@fastify/secure-session');
    await app.register(secureSession as never, {
      cookieName: 'sid',
      key: createHash('sha256').update(SECRET).digest(),
      cookie: { path: '/', httpOnly: true, sameSite: 'lax' },
    });
  } else {
    const { default: fastifyCookie } = await import('@fastify/cookie');
    const { default: fastifySession } = await import('@fastify/session');
    await app.register(fastifyCookie as never);
    await app.register(fastifySession as never, {
      secret: SECRET,
      cookieName: 'sid',
      saveUninitialized: true,
      cookie: { secure: false, httpOnly: true, sameSite: 'lax' },
      store: new fastifySession.MemoryStore(memory as never),
    });
  }
  await app.listen(0, '127.0.0.1');
  return {
    app,
    base: (await app.getUrl()).replace('[::1]', '127.0.0.1'),
    ids: () => [...memory.keys()],
    read: (header) => {
      const value = decodeURIComponent(cookie(header, 'sid') ?? '');
      if (!value) return undefined;
      if (kind === '@fastify/secure-session') return plain(fastify.decodeSecureSession(value)?.data()) ?? undefined;
      return plain(memory.get(value.slice(0, value.lastIndexOf('.')))) ?? undefined;
    },
  };
}
