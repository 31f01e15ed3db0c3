import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmulatorClient } from 'logup-emulator';
import { loopbackUrl, startProcess, type RunningProcess } from '../../scripts/lib/processes.mjs';
import { Visitor } from './browserless.js';
import { captureLog } from './log-capture.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'sample-app', 'dist', 'main.js');
const CLOCK = join(dirname(fileURLToPath(import.meta.url)), 'controlled-clock.mjs');

/**
 * The embedded sample's `loginBinding` in this run: `'nonce'` (its default), or `'pending'`
 * (production's) when `npm test` runs the sample's suites again with SAMPLE_LOGIN_BINDING=pending.
 */
export const SAMPLE_LOGIN_BINDING = process.env.SAMPLE_LOGIN_BINDING === 'pending' ? 'pending' : 'nonce';

export interface RunningSample {
  /** The app's base URL on loopback. */
  url: string;
  /** The embedded emulator, driven over HTTP. */
  emulator: EmulatorClient;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Whether the process is still running (an unhandled rejection would have ended it). */
  alive(): boolean;
  /** Moves the app's clock forward by `clockStepMs` (started with that option), once the app confirms. */
  advanceClock(): Promise<void>;
  close(): Promise<void>;
}

/** The app's URL (on 127.0.0.1) and its LogUp's, once the app has printed them. */
function startedUrls(output: string, env: NodeJS.ProcessEnv): [string, string] | undefined {
  const app = /is running: open (http:\/\/\S+)/.exec(output)?.[1];
  const emulator = env.LOGUP_BASE_URL ?? /embedded LogUp emulator at (http:\/\/\S+)/.exec(output)?.[1];
  return app && emulator ? [loopbackUrl(app), emulator] : undefined;
}

/** Signals the app to move its clock (SIGWINCH, test/support/controlled-clock.mjs) and waits until it says it did. */
async function stepClock(sample: RunningProcess): Promise<void> {
  const steps = () => (sample.output().match(/^clock: \+/gm) ?? []).length;
  const wanted = steps() + 1;
  sample.child.kill('SIGWINCH');
  for (const bound = Date.now() + 10_000; steps() < wanted;) {
    if (Date.now() > bound) throw new Error(`the app did not move its clock:\n${sample.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Runs the built sample app (`npm run build` first; `npm test` does) as its own
 * process, exactly as `npm start` does, on a free port: on its embedded emulator,
 * or on the LogUp given by `env.LOGUP_BASE_URL` (with the other LOGUP_* variables).
 */
export async function startSample(
  adapter: 'express' | 'fastify',
  env: NodeJS.ProcessEnv = {},
  options: { clockStepMs?: number } = {},
): Promise<RunningSample> {
  // Each process keeps its profiles in a data directory of its own, removed on close.
  const dataDir = env.DATA_DIR ? undefined : mkdtempSync(join(tmpdir(), 'logup-sample-data-'));
  const clock = options.clockStepMs ? ['--import', CLOCK] : [];
  const sample = startProcess(process.execPath, [...clock, MAIN], {
    name: 'sample app',
    env: {
      ...(options.clockStepMs ? { CLOCK_STEP_MS: String(options.clockStepMs) } : {}),
      PATH: process.env.PATH,
      NO_COLOR: '1',
      PORT: '0',
      ADAPTER: adapter,
      CALLBACK_RATE_LIMIT: '100000',
      // On the embedded emulator; an app on an external LogUp keeps 'pending', its default.
      ...(env.LOGUP_BASE_URL ? {} : { LOGUP_LOGIN_BINDING: SAMPLE_LOGIN_BINDING }),
      WRITE_RATE_LIMIT: '100000',
      ...(dataDir ? { DATA_DIR: dataDir } : {}),
      ...env,
    },
  });
  const output = sample.output;
  const [appUrl, emulatorUrl] = await sample
    .waitFor(() => startedUrls(output(), env))
    .catch((error: Error) => {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      throw error;
    });
  return {
    url: appUrl,
    emulator: new EmulatorClient(emulatorUrl),
    output,
    alive: sample.alive,
    advanceClock: async () => {
      if (!options.clockStepMs) throw new Error('startSample: pass clockStepMs to control the clock');
      await stepClock(sample);
    },
    close: async () => {
      await sample.stop();
      captureLog(`sample-app ${adapter}`, output());
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * What the sample printed when it started on `env` (then stopped: `started`, then its
 * output) or refused to start (the error, which holds its output): for start-up checks.
 */
export function startupOutput(adapter: 'express' | 'fastify', env: NodeJS.ProcessEnv): Promise<string> {
  return startSample(adapter, env).then(
    async (sample) => {
      await sample.close();
      return `started\n${sample.output()}`;
    },
    (error: Error) => error.message,
  );
}

/**
 * Starts a login as the home page's button does (a same-site POST /login, no token)
 * and answers where the app sent the browser: LogUp's login page.
 */
export async function startLogin(visitor: Visitor): Promise<string> {
  await visitor.get('/');
  const res = await visitor.post('/login', {});
  if (res.status !== 303 || !res.location) throw new Error(`POST /login answered ${res.status}: ${res.body}`);
  return res.location;
}

/**
 * The path of the callback LogUp's page sends the browser to after a login: the
 * `redirect` of an emulator login link (its query, with the nonce, kept), else the
 * gate's redirect URL `/logup/callback`; `logupToken` and `isNewUser` appended.
 */
export function callbackPathFor(loginPage: string, logupToken: string, isNewUser = true): string {
  const redirect = new URL(loginPage).searchParams.get('redirect');
  const url = new URL(redirect ?? '/logup/callback', 'http://app.invalid');
  url.searchParams.append('logupToken', logupToken);
  url.searchParams.append('isNewUser', String(isNewUser));
  return `${url.pathname}${url.search}`;
}

/**
 * Logs `visitor` in as `email` the way a browser does: starts a login, logs in at
 * LogUp (minted through the emulator's control API), follows the callback.
 */
export async function logIn(
  sample: { emulator: EmulatorClient },
  visitor: Visitor,
  options: { idGate?: string; email: string; db?: Record<string, string | number | boolean>; isNewUser?: boolean },
): Promise<{
  logupToken: string;
  idSubscription: string;
  idActor: string;
  callback: Awaited<ReturnType<Visitor['get']>>;
}> {
  const loginPage = await startLogin(visitor);
  const login = await sample.emulator.login({
    idGate: options.idGate ?? 'gate_demo',
    email: options.email,
    db: options.db,
  });
  const callback = await visitor.get(callbackPathFor(loginPage, login.logupToken, options.isNewUser ?? true));
  if (callback.status !== 303) throw new Error(`the callback answered ${callback.status}: ${callback.body}`);
  return { ...login, callback };
}
