import type { LogupProject } from './project.js';

// `logup.session.ts`: setupLogupSession(app), the session middleware for the app's
// adapter, with the secret of the `logup` config namespace.

const DOC = `/**
 * Keeps visitors logged in, and ties each LogUp callback to the browser that
 * started the login. Called by main.ts (and the test) before the app listens.`;

const CONFIG = `  const config = app.get<ConfigType<typeof logupConfig>>(logupConfig.KEY);`;

const FASTIFY_COOKIE = `    cookie: {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: config.secureCookies,
    },`;

function expressSession(ext: string): string {
  return `import type { INestApplication } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import session from 'express-session';
import logupConfig from './logup.config${ext}';

${DOC}
 * express-session keeps sessions in this process's memory by default: give it
 * a shared store (e.g. connect-redis) before running several replicas.
 */
export function setupLogupSession(app: INestApplication): void {
${CONFIG}
  app.use(
    session({
      secret: config.sessionSecret,
      resave: false,
      saveUninitialized: false,
      cookie: {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: config.secureCookies,
      },
    }),
  );
}
`;
}

const FASTIFY_SIGNATURE = `export async function setupLogupSession(
  app: NestFastifyApplication,
): Promise<void> {`;

function fastifySession(ext: string): string {
  return `import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { ConfigType } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import logupConfig from './logup.config${ext}';

${DOC}
 * @fastify/session keeps sessions in this process's memory by default: give it
 * a shared store before running several replicas.
 */
${FASTIFY_SIGNATURE}
${CONFIG}
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: config.sessionSecret,
    saveUninitialized: false,
${FASTIFY_COOKIE}
  });
}
`;
}

function secureSession(ext: string): string {
  return `import secureSession from '@fastify/secure-session';
import type { ConfigType } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import logupConfig from './logup.config${ext}';

${DOC}
 * @fastify/secure-session keeps the session in an encrypted cookie.
 */
${FASTIFY_SIGNATURE}
${CONFIG}
  await app.register(secureSession, {
    secret: config.sessionSecret,
    salt: config.sessionSalt,
${FASTIFY_COOKIE}
  });
}
`;
}

/** `logup.session.ts` for the app's session library. */
export function sessionFile(project: LogupProject): string {
  if (project.session === 'express-session') return expressSession(project.ext);
  if (project.session === '@fastify/session') return fastifySession(project.ext);
  return secureSession(project.ext);
}
