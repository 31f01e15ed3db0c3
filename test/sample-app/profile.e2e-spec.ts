import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { defaultDisplayName } from '../../sample-app/src/profile/profile.login-handler.js';
import { Visitor } from '../support/browserless.js';
import { emulatorLog } from '../support/log-capture.js';
import { GATE, email } from '../support/logup-fixture.js';
import { logIn, startSample, type RunningSample } from '../support/sample-app.js';
import { startupOutput, tempRoot } from './sample-suite.js';

/**
 * The profile rows as another program reads them from DATA_DIR/profiles.sqlite once the
 * app has stopped (while it runs, the app holds the database exclusively).
 */
function rowsOnDisk(dataDir: string): Record<string, unknown>[] {
  const db = new sqlite.Database(join(dataDir, 'profiles.sqlite'));
  try {
    // A database in WAL mode opens without shared memory only in exclusive mode.
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    return db
      .all('SELECT id_subscription, display_name, login_count FROM profiles')
      .map((row) => ({ id: row.id_subscription, name: row.display_name, count: row.login_count }));
  } finally {
    db.close();
  }
}

/** Sets the soft RLIMIT_FSIZE of the process `pid` (`unlimited` to lift it): past it, no file of it may grow. */
function limitFileSize(pid: number, size: string): void {
  const result = spawnSync('prlimit', ['--pid', String(pid), `--fsize=${size}:`]);
  if (result.status !== 0) throw new Error(`prlimit failed: ${String(result.stderr)}`);
}

const textOf = (html: string, id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];

/** The login hook (issue 13, item 2): a local profile per visitor, in a real SQLite file. */
describe.each(['express', 'fastify'] as const)('visitor profiles through the login hook (%s)', (adapter) => {
  const suite = { adapter } as ProfileSuite;
  let root: string;
  let emu: LogupEmulator;
  suite.start = () =>
    startSample(adapter, {
      LOGUP_ID_GATE: GATE.idGate,
      LOGUP_SECRET: GATE.secret,
      LOGUP_BASE_URL: emu.url,
      LOGUP_LOGIN_URL: `${emu.url}/login`,
      SESSION_SECRET: 'profile-suite-session-secret-0123456789',
      DATA_DIR: suite.dataDir,
    });
  suite.login = async (address, db) => {
    const visitor = new Visitor(suite.sample.url);
    const result = await logIn(suite.sample, visitor, { idGate: GATE.idGate, email: address, db });
    return { visitor, ...result };
  };
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'logup-sample-profiles-'));
    suite.dataDir = join(root, 'data');
    emu = await startEmulator({ port: 0, gates: [GATE], log: emulatorLog });
    suite.sample = await suite.start();
  });
  afterAll(async () => {
    await suite.sample?.close();
    await emu?.stop();
    await rm(root, { recursive: true, force: true });
  });
  firstLoginTests(suite);
  renameTests(suite);
  failedSaveTests(suite);
});

/** The app on a LogUp (an emulator this block keeps across app restarts) with its own DATA_DIR. */
interface ProfileSuite {
  adapter: 'express' | 'fastify';
  dataDir: string;
  sample: RunningSample;
  /** Starts the app again on the same LogUp and DATA_DIR. */
  start(): Promise<RunningSample>;
  /** Logs a fresh visitor in as `address`. */
  login(
    address: string,
    db?: Record<string, string>,
  ): Promise<{ visitor: Visitor } & Awaited<ReturnType<typeof logIn>>>;
}

function firstLoginTests(suite: ProfileSuite) {
  it('makes a profile at the first login, shows it on /me, counts later logins and keeps it across a restart', async () => {
    const address = email(`profile-${suite.adapter}`);
    const first = await suite.login(address);
    expect(suite.sample.output()).toContain(`Visitor profiles are kept in ${join(suite.dataDir, 'profiles.sqlite')}`);
    const me = await first.visitor.get('/me');
    expect(me.status).toBe(200);
    expect(textOf(me.body, 'displayName')).toBe(defaultDisplayName(first.idSubscription));
    expect(textOf(me.body, 'loginCount')).toBe('1');
    const firstLoginAt = /<time id="firstLoginAt" datetime="([^"]+)">/.exec(me.body)?.[1];
    expect(Date.now() - Date.parse(firstLoginAt!)).toBeLessThan(60_000);

    await suite.sample.close();
    expect(rowsOnDisk(suite.dataDir)).toContainEqual({
      id: first.idSubscription,
      name: defaultDisplayName(first.idSubscription),
      count: 1,
    });
    suite.sample = await suite.start();
    const again = await suite.login(address);
    expect(again.idSubscription).toBe(first.idSubscription);
    const page = (await again.visitor.get('/me')).body;
    expect(textOf(page, 'loginCount')).toBe('2');
    expect(page).toContain(`<time id="firstLoginAt" datetime="${firstLoginAt}">`);
  });

  it("names the profile after the `name` in the visitor's LogUp DB", async () => {
    const { visitor } = await suite.login(email(`named-${suite.adapter}`), { name: '  Ada <Lovelace> ' });
    const me = await visitor.get('/me');
    expect(textOf(me.body, 'displayName')).toBe('Ada &lt;Lovelace&gt;');
  });
}

function renameTests(suite: ProfileSuite) {
  it('renames through a CSRF-protected form, refusing a bad name with the page and a reason', async () => {
    const { visitor, idSubscription } = await suite.login(email(`rename-${suite.adapter}`));
    const me = await visitor.get('/me');
    expect((await visitor.post('/me/profile', { displayName: 'No token' })).status).toBe(403);
    const bad = await visitor.post('/me/profile', { _csrf: Visitor.csrfOf(me.body), displayName: ' \u0007 ' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(
      /id="profile-errors"[^>]*><li>Enter a display name of 1 to 40 characters, without line breaks/,
    );
    const saved = await visitor.post('/me/profile', { _csrf: Visitor.csrfOf(me.body), displayName: 'Grace' });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/me?notice=renamed');
    const after = await visitor.get('/me?notice=renamed');
    expect(textOf(after.body, 'displayName')).toBe('Grace');
    expect(after.body).toContain('Saved your display name.');
    await suite.sample.close();
    expect(rowsOnDisk(suite.dataDir)).toContainEqual({ id: idSubscription, name: 'Grace', count: 1 });
    suite.sample = await suite.start();
  });
}

function failedSaveTests(suite: ProfileSuite) {
  it('when the profile cannot be saved: a clear page, nobody logged in, and a later login works', async () => {
    const returning = email(`unwritable-${suite.adapter}`);
    const before = await suite.login(returning);
    // The app's files may not grow (RLIMIT_FSIZE on its process, as on a full disk):
    // its write-ahead log cannot take a change, even as root.
    const pid = Number((await readFile(join(suite.dataDir, 'profiles.sqlite.owner'), 'utf8')).trim());
    limitFileSize(pid, String((await stat(join(suite.dataDir, 'profiles.sqlite-wal'))).size));
    try {
      for (const address of [returning, email(`unwritable-new-${suite.adapter}`)]) {
        const visitor = new Visitor(suite.sample.url);
        const failed = await logIn(suite.sample, visitor, { idGate: GATE.idGate, email: address }).then(
          () => undefined,
          (error: Error) => error.message,
        );
        expect(failed).toMatch(/^the callback answered 500: /);
        expect(failed).toContain('<h1>Logging in failed</h1>');
        expect(failed).toContain('Logging in failed: this site could not set up your account. Please try again.');
        expect(failed).toContain('Nobody was logged in and nothing was changed.');
        expect(failed).not.toMatch(/disk I\/O|profiles\.sqlite|\bat \S+ \(/);
        expect((await visitor.get('/me', false)).status).toBe(401);
        const page = await visitor.get('/me');
        expect(page.status).toBe(303);
        expect(page.location).toBe('/');
      }
      expect(suite.sample.output()).toMatch(
        /The LogUp login handler failed: the profile database .*profiles\.sqlite failed: disk I\/O error/,
      );
      // Someone logged in before keeps their session and their profile as it was.
      expect(textOf((await before.visitor.get('/me')).body, 'loginCount')).toBe('1');
    } finally {
      limitFileSize(pid, 'unlimited');
    }
    const later = await suite.login(returning);
    expect(later.idSubscription).toBe(before.idSubscription);
    // The failed login was undone: this is the second login that counted.
    expect(textOf((await later.visitor.get('/me')).body, 'loginCount')).toBe('2');
    expect(suite.sample.alive()).toBe(true);
  });
}

describe('the profile database at start-up', () => {
  const rootDir = tempRoot('logup-sample-profiles-');

  it('refuses a DATA_DIR that is a file, naming it', async () => {
    const file = join(rootDir(), 'a-file');
    await writeFile(file, 'x');
    const output = await startupOutput({ DATA_DIR: file });
    expect(output).toMatch(/sample app exited with 1/);
    expect(output).toContain(`Cannot start the sample app: DATA_DIR=${file} cannot hold the profile database`);
  });

  it('warns loudly with REDIS_URL (several replicas), whose profiles a per-process file cannot share', async () => {
    // Nothing listens on port 9: the app starts anyway (Redis down answers 503), and warns.
    const output = await startupOutput({ DATA_DIR: join(rootDir(), 'redis'), REDIS_URL: 'redis://127.0.0.1:9' });
    expect(output).toMatch(
      /WARN \[Profiles\] REDIS_URL is set \(several replicas\), but visitor profiles are kept in .*profiles\.sqlite, a database file that only this process uses/,
    );
    expect(output).toMatch(/shared database server \(e\.g\. PostgreSQL\)/);
    expect(await startupOutput({ DATA_DIR: join(rootDir(), 'single') })).not.toMatch(/REDIS_URL is set/);
  });
});
