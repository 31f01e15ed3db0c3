import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Visitor } from '../support/browserless.js';
import {
  callbackPathFor,
  logIn,
  startLogin,
  startSample,
  startupOutput as startupOutputOf,
  type RunningSample,
} from '../support/sample-app.js';

type Db = Record<string, string | number | boolean>;

/** The built sample for one `describe` block, with what its tests do again and again. */
export interface SampleSuite {
  /** The running app (set once the block's `beforeAll` has run). */
  readonly sample: RunningSample;
  /** A LogUp login of `email` at the demo gate, minted through the emulator. */
  mint(email: string, db?: Db): ReturnType<RunningSample['emulator']['login']>;
  /** The emulator's counters since the test started. */
  stats(): ReturnType<RunningSample['emulator']['stats']>;
  /** Logs a fresh visitor in through the callback; returns the visitor and their ids. */
  loggedIn(email: string, db?: Db): Promise<{ visitor: Visitor; login: Awaited<ReturnType<typeof logIn>> }>;
  /** A fresh visitor who started a login; answers the callback path for `logupToken`. */
  started(logupToken: string, isNewUser?: boolean): Promise<{ visitor: Visitor; path: string }>;
}

/**
 * The built sample on `adapter` (see `startSample`) for the surrounding `describe` block:
 * started before its tests, stopped after them.
 */
export function runningSample(
  adapter: 'express' | 'fastify',
  env?: NodeJS.ProcessEnv,
  options?: { clockStepMs?: number },
): { readonly sample: RunningSample } {
  let sample: RunningSample;
  beforeAll(async () => {
    sample = await startSample(adapter, env, options);
  });
  afterAll(() => sample?.close());
  return {
    get sample() {
      return sample;
    },
  };
}

/**
 * Runs the built sample on `adapter` for the surrounding `describe` block (started
 * before its tests, stopped after), the emulator's faults and counters cleared before each test.
 */
export function sampleSuite(adapter: 'express' | 'fastify'): SampleSuite {
  const running = runningSample(adapter);
  beforeEach(async () => {
    await running.sample.emulator.clearFaults();
    await running.sample.emulator.resetStats();
  });
  const sample = () => running.sample;
  return {
    get sample() {
      return running.sample;
    },
    mint: (email, db) => sample().emulator.login({ idGate: 'gate_demo', email, db }),
    stats: () => sample().emulator.stats(),
    async loggedIn(email, db) {
      const visitor = new Visitor(sample().url);
      return { visitor, login: await logIn(sample(), visitor, { email, db }) };
    },
    async started(logupToken, isNewUser = true) {
      const visitor = new Visitor(sample().url);
      return { visitor, path: callbackPathFor(await startLogin(visitor), logupToken, isNewUser) };
    },
  };
}

/** Posts the account page's DB form: `key` = `value` typed as `type`, with the page's CSRF token. */
export function saveDb(visitor: Visitor, csrf: string, key: string, value: string, type = 'string') {
  return visitor.post('/me/db', { _csrf: csrf, key, value, type });
}

/** A temporary directory made before the surrounding `describe` block and removed after it; ask in a test. */
export function tempRoot(prefix: string): () => string {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));
  return () => root;
}

/** What the app printed when it started (`started`, then its output; then stopped) or refused to start. */
export function startupOutput(env: NodeJS.ProcessEnv): Promise<string> {
  return startupOutputOf('express', env);
}
