import type { LogupSocketSessionMiddleware } from 'nestjs-logup';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { RedisStore } from 'connect-redis';
import { REDIS_DOWN_MESSAGE, REDIS_RETRY_AFTER_SECONDS, sharedStateSettings } from './redis.js';
import type { SharedState } from './shared-state.js';

/** The session cookie as the app configures it, on either adapter. */
export interface SessionCookieSettings {
  name: string;
  secret: string;
  secure: boolean;
  maxAgeSeconds: number;
}

/** The session cookie's attributes, the same for express-session and @fastify/session (maxAge in ms). */
function cookieOptions(cookie: SessionCookieSettings) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: cookie.secure,
    maxAge: cookie.maxAgeSeconds * 1000,
  };
}

const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The 503 answer while Redis is unreachable: a short HTML page for browsers, JSON
 * otherwise, with Retry-After; written directly, as it runs before Nest's routing.
 */
export function redisDownAnswer(accept: string | undefined): { body: string; type: string } {
  if ((accept ?? '').includes('text/html')) {
    return {
      type: 'text/html; charset=utf-8',
      body:
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error 503</title></head>' +
        `<body><main><h1>Temporarily unavailable (503)</h1><p>${html(REDIS_DOWN_MESSAGE)}</p></main></body></html>`,
    };
  }
  return {
    type: 'application/json; charset=utf-8',
    body: JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: REDIS_DOWN_MESSAGE }),
  };
}

function send503(shared: SharedState, request: IncomingMessage, response: ServerResponse): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const { body, type } = redisDownAnswer(request.headers.accept);
  response.statusCode = 503;
  response.setHeader('Content-Type', type);
  response.setHeader('Retry-After', String(REDIS_RETRY_AFTER_SECONDS));
  response.setHeader('Cache-Control', 'no-store');
  if (shared.settings.replicaId) response.setHeader('X-Replica', shared.settings.replicaId);
  response.end(body);
}

/** `X-Replica: <REPLICA_ID>` on every answer, when REPLICA_ID is set (both adapters). */
export function useReplicaHeader(app: INestApplication, adapter: 'express' | 'fastify', env: NodeJS.ProcessEnv): void {
  const { replicaId } = sharedStateSettings(env);
  if (!replicaId) return;
  if (adapter === 'fastify') {
    const fastify = app.getHttpAdapter().getInstance() as {
      addHook(
        name: 'onRequest',
        hook: (req: unknown, reply: { header(n: string, v: string): void }, done: () => void) => void,
      ): void;
    };
    fastify.addHook('onRequest', (_request, reply, done) => {
      reply.header('x-replica', replicaId);
      done();
    });
  } else {
    app.use((_request: IncomingMessage, response: ServerResponse, next: () => void) => {
      response.setHeader('X-Replica', replicaId);
      next();
    });
  }
}

/**
 * Express: express-session with connect-redis. The session id in a signed httpOnly
 * SameSite=Lax cookie, the session in Redis, so any replica serves any visitor and
 * a logout ends the session for all of them. While Redis is unreachable every
 * request answers 503 (the readiness check, or a session read that fails) instead
 * of a 500 or a hang; requests go through again once the client has reconnected.
 * Resolves to the session middleware itself (for `useLogupSockets`).
 */
export async function useExpressRedisSession(
  app: INestApplication,
  shared: SharedState,
  cookie: SessionCookieSettings,
): Promise<LogupSocketSessionMiddleware> {
  const { default: session } = await import('express-session');
  const middleware = session({
    name: cookie.name,
    secret: cookie.secret,
    store: new RedisStore({ client: shared.client, prefix: 'sess:' }),
    resave: false,
    saveUninitialized: false,
    cookie: cookieOptions(cookie),
  });
  app.use((request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => {
    if (!shared.ready) return send503(shared, request, response);
    middleware(request as never, response as never, (error?: unknown) => {
      if (error) return send503(shared, request, response);
      next();
    });
  });
  return middleware;
}

/**
 * Fastify: @fastify/session (with @fastify/cookie) and the same connect-redis store,
 * the same cookie and the same 503 while Redis is unreachable.
 */
export async function useFastifyRedisSession(
  app: INestApplication,
  shared: SharedState,
  cookie: SessionCookieSettings,
): Promise<void> {
  const register = (app as unknown as { register(plugin: unknown, options?: unknown): Promise<unknown> }).register.bind(
    app,
  );
  const fastify = app.getHttpAdapter().getInstance() as {
    addHook(
      name: 'onRequest',
      hook: (
        request: { raw: IncomingMessage },
        reply: { raw: ServerResponse; hijack(): void },
        done: () => void,
      ) => void,
    ): void;
  };
  // Registered before the session plugin, so it runs first: no store read while Redis is down.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (shared.ready) return done();
    reply.hijack();
    send503(shared, request.raw, reply.raw);
  });
  const { default: fastifyCookie } = await import('@fastify/cookie');
  const { default: fastifySession } = await import('@fastify/session');
  await register(fastifyCookie);
  await register(fastifySession, {
    cookieName: cookie.name,
    secret: cookie.secret,
    store: new FastifyRedisStore({ client: shared.client, prefix: 'sess:' }),
    saveUninitialized: false,
    cookie: cookieOptions(cookie),
  });
}

/**
 * connect-redis for @fastify/session: a store failure carries statusCode 503, which
 * Fastify answers as such (instead of a 500) when it happens after the readiness check.
 */
class FastifyRedisStore extends RedisStore {
  override get(sid: string, cb?: (error: unknown, data?: unknown) => void) {
    return super.get(sid, cb && ((error, data) => cb(unavailable(error), data)));
  }

  override set(sid: string, sess: never, cb?: (error?: unknown) => void) {
    return super.set(sid, sess, cb && ((error) => cb(unavailable(error))));
  }

  override destroy(sid: string, cb?: (error?: unknown) => void) {
    return super.destroy(sid, cb && ((error) => cb(unavailable(error))));
  }
}

function unavailable(error: unknown): unknown {
  if (!error) return error;
  return Object.assign(new Error(REDIS_DOWN_MESSAGE), { statusCode: 503 });
}
