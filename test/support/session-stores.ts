import { Module, type Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import session from 'express-session';
import type { LogupEmulator } from 'logup-emulator';
import { LogupModule } from 'nestjs-logup';
import { cookieValue } from './cookie-jar.mjs';
import { LoginRoutes } from './login-routes.js';
import { GATE } from './logup-fixture.js';
import { startNestApp, type RunningApp } from './nest-app.js';
import { useCookieSession, useExpressSession, useFastifySession, useSecureSession } from './sessions.js';

export { LOGIN_VALUE_KEYS, PENDING_VALUE_KEYS } from './session-shape.mjs';

/** The four session libraries the README names. */
export const SESSION_STORES = [
  'express-session',
  'cookie-session',
  '@fastify/secure-session',
  '@fastify/session',
] as const;
export type SessionStoreKind = (typeof SESSION_STORES)[number];

export interface SessionStoreApp extends RunningApp {
  /** The session data this app's store holds for a response's cookies (decoded, as plain JSON). */
  read(cookieHeader: string): Record<string, unknown> | undefined;
  /** Session ids the store holds (server-side stores only; cookie stores have none). */
  ids(): string[];
}

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;
const plain = (value: unknown) => (value == null ? undefined : json(JSON.stringify(value)));

/** express-session keeps the session under the signed id of its `sid` cookie; cookie-session in the cookie itself. */
async function expressStoreApp(AppModule: Type, kind: SessionStoreKind): Promise<SessionStoreApp> {
  const store = new session.MemoryStore();
  const memory = (store as unknown as { sessions: Record<string, string> }).sessions;
  const running = await startNestApp(AppModule, {
    setup: (app: NestExpressApplication) => {
      if (kind === 'express-session') useExpressSession(app, { saveUninitialized: true, name: 'sid', store });
      else useCookieSession(app, { name: 'sess', httpOnly: true });
    },
  });
  return {
    ...running,
    ids: () => (kind === 'express-session' ? Object.keys(memory) : []),
    read: (header) => {
      if (kind === 'cookie-session') {
        // cookie-session keeps the whole session in the cookie, base64 JSON (signed, not encrypted).
        const value = cookieValue(header, 'sess');
        return value ? json(Buffer.from(value, 'base64').toString('utf8')) : undefined;
      }
      const signed = decodeURIComponent(cookieValue(header, 'sid') ?? '');
      const id = signed.startsWith('s:') ? signed.slice(2, signed.lastIndexOf('.')) : undefined;
      return id && memory[id] ? json(memory[id]) : undefined;
    },
  };
}

/** @fastify/secure-session keeps the session encrypted in its `sid` cookie; @fastify/session under the cookie's id. */
async function fastifyStoreApp(AppModule: Type, kind: SessionStoreKind): Promise<SessionStoreApp> {
  const memory = new Map<string, unknown>();
  const { default: fastifySession } = await import('@fastify/session');
  const running = await startNestApp(AppModule, {
    platform: 'fastify',
    setup: (app: NestFastifyApplication) =>
      kind === '@fastify/secure-session'
        ? useSecureSession(app, { cookieName: 'sid' })
        : useFastifySession(app, {
            cookieName: 'sid',
            saveUninitialized: true,
            store: new fastifySession.MemoryStore(memory as never),
          }),
  });
  const fastify = running.app.getHttpAdapter().getInstance() as unknown as {
    decodeSecureSession(cookie: string): { data(): unknown } | null;
  };
  return {
    ...running,
    ids: () => [...memory.keys()],
    read: (header) => {
      const value = decodeURIComponent(cookieValue(header, 'sid') ?? '');
      if (!value) return undefined;
      if (kind === '@fastify/secure-session') return plain(fastify.decodeSecureSession(value)?.data());
      return plain(memory.get(value.slice(0, value.lastIndexOf('.'))));
    },
  };
}

/** An app with LogupModule on the given session library, and a way to read what that library stores. */
export async function sessionStoreApp(emu: LogupEmulator, kind: SessionStoreKind): Promise<SessionStoreApp> {
  @Module({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, sessionMaxAgeSeconds: 3600 })],
    controllers: [LoginRoutes],
  })
  class AppModule {}
  return kind === 'express-session' || kind === 'cookie-session'
    ? expressStoreApp(AppModule, kind)
    : fastifyStoreApp(AppModule, kind);
}
