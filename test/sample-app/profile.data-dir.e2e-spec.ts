import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Visitor } from '../support/browserless.js';
import { logIn, startSample } from '../support/sample-app.js';
import { startupOutput as outputOf } from './sample-suite.js';

/** Another local user (what `nobody` is on Debian); the tests run as root to play them. */
const OTHER_UID = 65534;

const mode = async (path: string) => `0${((await stat(path)).mode & 0o777).toString(8)}`;

/** Issue 19, item 9: DATA_DIR must be this user's private directory, and its files private. */
describe('the profile data directory belongs to this process only', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'logup-sample-datadir-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  /** A directory another user made first (a squatter in a shared folder), with their own database in it. */
  async function squatted(name: string, bits: number, owner: number): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir);
    await writeFile(join(dir, 'profiles.sqlite'), 'the squatter file');
    await chown(join(dir, 'profiles.sqlite'), owner, owner);
    await chown(dir, owner, owner);
    await chmod(dir, bits);
    return dir;
  }

  it.each([
    ['world-writable, made by another user', 0o777, OTHER_UID, /belongs to another user \(uid 65534; this process/],
    ['read-only to us, made by another user', 0o755, OTHER_UID, /belongs to another user \(uid 65534; this process/],
    ['ours but world-writable', 0o777, 0, /can be written by other users \(mode 0777\), who could replace/],
    ['ours but group-writable', 0o770, 0, /can be written by other users \(mode 0770\)/],
  ])('refuses to start on a DATA_DIR %s, naming it and the fix', async (name, bits, owner, reason) => {
    const dir = await squatted(name.replace(/\W+/g, '-'), bits, owner === 0 ? process.getuid!() : owner);
    const output = await outputOf({ DATA_DIR: dir });
    expect(output).toMatch(/sample app exited with 1/);
    expect(output).toContain(`Cannot start the sample app: DATA_DIR=${dir} `);
    expect(output).toMatch(reason);
    // Nothing of the squatter's was used or changed.
    expect(await readFile(join(dir, 'profiles.sqlite'), 'utf8')).toBe('the squatter file');
    expect(await readdir(dir)).toEqual(['profiles.sqlite']);
  });

  it('refuses a symbolic link another user made in place of DATA_DIR', async () => {
    const target = join(root, 'link-target');
    await mkdir(target, { mode: 0o700 });
    const link = join(root, 'a-link');
    await new Promise<void>((resolve, reject) =>
      spawn('ln', ['-s', target, link]).once('exit', (code) => (code === 0 ? resolve() : reject(new Error('ln')))),
    );
    await new Promise<void>((resolve) => spawn('chown', ['-h', `${OTHER_UID}`, link]).once('exit', () => resolve()));
    expect(await outputOf({ DATA_DIR: link })).toMatch(/is a symbolic link made by another user \(uid 65534\)/);
  });

  privateFileTests(() => root);
  takeoverTests(() => root);
});

function privateFileTests(root: () => string) {
  it('creates DATA_DIR 0700 and keeps every file in it 0600, an older 0644 database included', async () => {
    const dir = join(root(), 'fresh', 'data');
    const sample = await startSample('express', { DATA_DIR: dir });
    try {
      await logIn(sample, new Visitor(sample.url), { email: `private-${process.pid}@example.com` });
      expect(await mode(dir)).toBe('0700');
      const files = await readdir(dir);
      expect(files).toContain('profiles.sqlite');
      for (const file of files) {
        // SQLite's lock is an empty directory (node-sqlite3-wasm), inside the 0700 one.
        if ((await stat(join(dir, file))).isDirectory()) continue;
        expect([file, await mode(join(dir, file))]).toEqual([file, '0600']);
      }
    } finally {
      await sample.close();
    }
    await chmod(join(dir, 'profiles.sqlite'), 0o644);
    expect(await outputOf({ DATA_DIR: dir })).toMatch(/^started/);
    expect(await mode(join(dir, 'profiles.sqlite'))).toBe('0600');
  });

  it("defaults to this user's state directory, not the shared temporary folder", async () => {
    const state = join(root(), 'state');
    const output = await outputOf({ DATA_DIR: '', XDG_STATE_HOME: state });
    expect(output).toMatch(/^started/);
    expect(output).toContain(`Visitor profiles are kept in ${join(state, 'logup-sample-app', 'profiles.sqlite')}`);
    expect(await mode(join(state, 'logup-sample-app'))).toBe('0700');
  });
}

function takeoverTests(root: () => string) {
  it('refuses a second process on the same DATA_DIR, and takes over from one that died', async () => {
    const dir = join(root(), 'shared');
    const first = await startSample('express', { DATA_DIR: dir });
    try {
      const pid = Number((await readFile(join(dir, 'profiles.sqlite.owner'), 'utf8')).trim());
      expect(await outputOf({ DATA_DIR: dir })).toMatch(
        new RegExp(`DATA_DIR=${dir} is in use by process ${pid} \\(one process per directory\\)`),
      );
    } finally {
      await first.close();
    }
    // A process that died while writing: its pid no longer runs and SQLite's lock is left behind.
    await writeFile(join(dir, 'profiles.sqlite.owner'), '2147483646\n');
    await mkdir(join(dir, 'profiles.sqlite.lock'));
    const next = await startSample('express', { DATA_DIR: dir });
    try {
      await logIn(next, new Visitor(next.url), { email: `takeover-${process.pid}@example.com` });
    } finally {
      await next.close();
    }
    expect(await readdir(dir)).toEqual(['profiles.sqlite']);
  });
}
