import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger, type DynamicModule, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { WsAdapter } from '@nestjs/platform-ws';
import type { LogupEmulator } from 'logup-emulator';
import { useLogupSockets, type LogupSocketSessionMiddleware } from 'nestjs-logup';
import { AppModule } from './app.module.js';
import { EMBEDDED_LOGUP } from './embedded-logup.module.js';
import { useExpressRedisSession, useFastifyRedisSession, useReplicaHeader } from './infra/redis-session.js';
import { helmetOptions, NO_STORE } from './infra/security-headers.js';
import { openSharedState, SHARED_STATE, type SharedState } from './infra/shared-state.js';
import { type SampleConfig, sampleConfig, startupWarnings } from './sample.config.js';

export type SampleAdapter = 'express' | 'fastify';

const VIEWS = join(dirname(fileURLToPath(import.meta.url)), '..', 'views');
const SESSION_COOKIE = 'logup_sample_session';

/**
 * Builds the sample app on Express or Fastify, with signed/encrypted httpOnly
 * SameSite=Lax session cookies, security headers and handlebars views. Call
 * `listen` on it.
 */
export async function createSampleApp(
  options: { adapter?: SampleAdapter; env?: NodeJS.ProcessEnv; logger?: false | LoggerService } = {},
): Promise<INestApplication> {
  // Read once: the adapter needs TRUST_PROXY before Nest starts, and a random
  // SESSION_SECRET must be the same everywhere.
  const config = sampleConfig(options.env ?? process.env);
  // REDIS_URL: sessions, rate limit and logouts in Redis, shared by every replica.
  const module = AppModule.register(config, openSharedState(options.env ?? process.env));
  // abortOnError: false lets a boot error reach the caller (main prints one clear line)
  // instead of Nest exiting the process itself.
  const nestOptions = { abortOnError: false, ...(options.logger !== undefined ? { logger: options.logger } : {}) };
  const app =
    options.adapter === 'fastify'
      ? await fastifyApp(module, config, nestOptions)
      : await expressApp(module, config, nestOptions);
  useReplicaHeader(app, options.adapter ?? 'express', options.env ?? process.env);
  // The account page's live updates (profile/live.gateway.ts), on the `ws` adapter.
  app.useWebSocketAdapter(new WsAdapter(app));
  for (const warning of startupWarnings(config)) new Logger('SampleApp').warn(warning);
  return app;
}

/** The session cookie's settings, for the Redis-backed sessions (REDIS_URL). */
function sessionCookie(config: SampleConfig) {
  const { sessionSecret: secret, secureCookies: secure, sessionMaxAgeSeconds: maxAgeSeconds } = config;
  return { name: SESSION_COOKIE, secret, secure, maxAgeSeconds };
}

type NestOptions = { abortOnError: boolean; logger?: false | LoggerService };

/** Where the login form may send the browser (CSP form-action): LogUp's login page. */
function loginPageOrigin(app: INestApplication, config: SampleConfig): string {
  const emulator = app.get<LogupEmulator | null>(EMBEDDED_LOGUP);
  return new URL(emulator ? emulator.url : config.logup.loginPageUrl!).origin;
}

async function fastifyApp(
  module: DynamicModule,
  config: SampleConfig,
  nestOptions: NestOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    // Fastify takes a hop count too; Nest's option type leaves numbers out.
    new FastifyAdapter({ trustProxy: config.trustProxy as boolean | string[] }),
    nestOptions,
  );
  const { default: helmet } = await import('@fastify/helmet');
  await app.register(helmet as never, {
    ...helmetOptions({ loginPageOrigin: loginPageOrigin(app, config), secureCookies: config.secureCookies }),
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request, reply, done) => {
      reply.header('cache-control', NO_STORE);
      done();
    });
  const { default: secureSession } = await import('@fastify/secure-session');
  const { default: handlebars } = await import('handlebars');
  const shared = app.get<SharedState | null>(SHARED_STATE);
  if (shared) await useFastifyRedisSession(app, shared, sessionCookie(config));
  else
    await app.register(secureSession as never, {
      cookieName: SESSION_COOKIE,
      // secure-session wants a 32-byte key; derive it from the configured secret.
      key: createHash('sha256').update(config.sessionSecret).digest(),
      expiry: config.sessionMaxAgeSeconds,
      cookie: {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: config.secureCookies,
        maxAge: config.sessionMaxAgeSeconds,
      },
    });
  useLogupSockets(app); // the session plugin's hooks read the live socket's handshake
  app.setViewEngine({ engine: { handlebars }, templates: VIEWS, layout: 'layout.hbs', viewExt: 'hbs' });
  return app;
}

async function expressApp(
  module: DynamicModule,
  config: SampleConfig,
  nestOptions: NestOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(), nestOptions);
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  const { default: helmet } = await import('helmet');
  app.use(
    helmet(helmetOptions({ loginPageOrigin: loginPageOrigin(app, config), secureCookies: config.secureCookies })),
  );
  app.use((_request: unknown, response: { setHeader(name: string, value: string): void }, next: () => void) => {
    response.setHeader('Cache-Control', NO_STORE);
    next();
  });
  const { default: cookieSession } = await import('cookie-session');
  const shared = app.get<SharedState | null>(SHARED_STATE);
  let sessionMiddleware: LogupSocketSessionMiddleware;
  if (shared) sessionMiddleware = await useExpressRedisSession(app, shared, sessionCookie(config));
  else {
    sessionMiddleware = cookieSession({
      name: SESSION_COOKIE,
      keys: [config.sessionSecret],
      httpOnly: true,
      sameSite: 'lax',
      secure: config.secureCookies,
      maxAge: config.sessionMaxAgeSeconds * 1000,
    });
    app.use(sessionMiddleware);
  }
  // The live socket's handshake is read through the same session middleware.
  useLogupSockets(app, { sessionMiddleware });
  app.setBaseViewsDir(VIEWS);
  app.setViewEngine('hbs');
  return app;
}
