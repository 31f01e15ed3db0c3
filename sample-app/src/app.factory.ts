import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import type { SampleConfig } from './sample.config.js';

export type SampleAdapter = 'express' | 'fastify';

const VIEWS = join(dirname(fileURLToPath(import.meta.url)), '..', 'views');
const SESSION_COOKIE = 'logup_sample_session';
const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

/**
 * Builds the sample app on Express or Fastify, with signed/encrypted httpOnly
 * SameSite=Lax session cookies and handlebars views. Call `listen` on it.
 */
export async function createSampleApp(
  options: { adapter?: SampleAdapter; env?: NodeJS.ProcessEnv; logger?: false } = {},
): Promise<INestApplication> {
  const module = AppModule.register(options.env ?? process.env);
  // abortOnError: false lets a boot error reach the caller (main prints one clear line)
  // instead of Nest exiting the process itself.
  const nestOptions = { abortOnError: false, ...(options.logger === false ? { logger: false as const } : {}) };
  if (options.adapter === 'fastify') {
    const app = await NestFactory.create<NestFastifyApplication>(
      module,
      new FastifyAdapter({ trustProxy: false }),
      nestOptions,
    );
    const config = app.get(ConfigService);
    const { default: secureSession } = await import('@fastify/secure-session');
    const { default: handlebars } = await import('handlebars');
    await app.register(secureSession as never, {
      cookieName: SESSION_COOKIE,
      // secure-session wants a 32-byte key; derive it from the configured secret.
      key: createHash('sha256').update(config.getOrThrow<string>('sessionSecret')).digest(),
      expiry: SESSION_MAX_AGE_SECONDS,
      cookie: {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: config.getOrThrow<SampleConfig['secureCookies']>('secureCookies'),
        maxAge: SESSION_MAX_AGE_SECONDS,
      },
    });
    app.setViewEngine({ engine: { handlebars }, templates: VIEWS, layout: 'layout.hbs', viewExt: 'hbs' });
    return app;
  }
  const app = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(), nestOptions);
  const config = app.get(ConfigService);
  const { default: cookieSession } = await import('cookie-session');
  app.disable('x-powered-by');
  app.use(
    cookieSession({
      name: SESSION_COOKIE,
      keys: [config.getOrThrow<string>('sessionSecret')],
      httpOnly: true,
      sameSite: 'lax',
      secure: config.getOrThrow<SampleConfig['secureCookies']>('secureCookies'),
      maxAge: SESSION_MAX_AGE_SECONDS * 1000,
    }),
  );
  app.setBaseViewsDir(VIEWS);
  app.setViewEngine('hbs');
  return app;
}
