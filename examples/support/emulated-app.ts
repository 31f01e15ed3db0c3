// What the specs of examples/ share: an app against the LogUp emulator, and a browser
// that keeps its session cookie. Not shown in the README; the consumer apps copy it
// with the rest of examples/.
import type { INestApplication } from '@nestjs/common';
import session from 'express-session';
import { startEmulator, type LogupEmulator } from 'logup-emulator';

export interface EmulatedApp {
  emulator: LogupEmulator;
  app: INestApplication;
  /** The app's URL on 127.0.0.1. */
  url: string;
  /** Closes the app, then the emulator. */
  close(): Promise<void>;
}

type Middleware = Parameters<INestApplication['use']>[0];

/**
 * Starts a LogUp emulator with `gates` (idGate: secret), then the app `create` makes
 * for it, with express-session (as the README's main.ts) and then `middleware`,
 * listening on 127.0.0.1, port 0.
 */
export async function startEmulatedApp(
  gates: Record<string, string>,
  create: (emulator: LogupEmulator) => Promise<INestApplication>,
  ...middleware: Middleware[]
): Promise<EmulatedApp> {
  const emulator = await startEmulator({ port: 0, gates });
  try {
    const app = await create(emulator);
    app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: false }));
    for (const use of middleware) app.use(use);
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    return { emulator, app, url, close: () => app.close().then(() => emulator.stop()) };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

/** A browser with its session cookie: fetches paths of the app at `url`, following no redirect. */
export function browser(url: string): (path: string, init?: RequestInit) => Promise<Response> {
  let cookie = '';
  return async (path, init = {}) => {
    const res = await fetch(`${url}${path}`, { ...init, redirect: 'manual', headers: { cookie } });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    return res;
  };
}
