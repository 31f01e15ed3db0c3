// The session libraries the end-to-end apps run on, set up once: the tests' secrets,
// and the options each test cares about passed in.
import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import cookieSession from 'cookie-session';
import session, { type SessionOptions } from 'express-session';

export const SESSION_SECRET = 'test-session-secret';

/** express-session (no resave; no empty sessions unless `saveUninitialized`); returns the middleware. */
export function useExpressSession(app: INestApplication, options: Partial<SessionOptions> = {}) {
  const middleware = session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false, ...options });
  app.use(middleware);
  return middleware;
}

/** cookie-session: the whole session in a signed (not encrypted) cookie, `sid` unless named. */
export function useCookieSession(app: INestApplication, options: Parameters<typeof cookieSession>[0] = {}): void {
  app.use(cookieSession({ name: 'sid', keys: ['test-cookie-session-key'], sameSite: 'lax', ...options }));
}

/** @fastify/secure-session with a key derived from `seed`, its cookie on `/`, httpOnly, SameSite=Lax. */
export async function useSecureSession(
  app: NestFastifyApplication,
  { seed = 'test-session-key', cookieName }: { seed?: string; cookieName?: string } = {},
): Promise<void> {
  const { default: secureSession } = await import('@fastify/secure-session');
  await app.register(secureSession as never, {
    ...(cookieName ? { cookieName } : {}),
    key: createHash('sha256').update(seed).digest(),
    cookie: { path: '/', httpOnly: true, sameSite: 'lax' },
  });
}

/** @fastify/cookie and @fastify/session on the given store (a plain HTTP cookie: the tests run without TLS). */
export async function useFastifySession(
  app: NestFastifyApplication,
  options: { store: unknown; saveUninitialized: boolean; cookieName?: string; secret?: string },
): Promise<void> {
  const { default: fastifyCookie } = await import('@fastify/cookie');
  const { default: fastifySession } = await import('@fastify/session');
  await app.register(fastifyCookie as never);
  await app.register(fastifySession as never, {
    secret: 'a-fastify-session-secret-of-32-chars-at-least',
    cookie: { secure: false, httpOnly: true, sameSite: 'lax' },
    ...options,
  });
}
