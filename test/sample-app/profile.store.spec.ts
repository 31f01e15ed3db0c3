import { readFileSync } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import { defaultDisplayName, displayNameOf } from '../../sample-app/src/profile/profile.login-handler.js';
import { PROFILE_FILE, ProfileStore } from '../../sample-app/src/profile/profile.store.js';
import { tempRoot } from './sample-suite.js';

/** Opens the store on `dir` (as a new process would), runs `use` on it and closes it. */
async function withStore<T>(dir: string, use: (store: ProfileStore) => Promise<T>): Promise<T> {
  const store = await ProfileStore.open(dir);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

describe('ProfileStore (SQLite through node-sqlite3-wasm, in DATA_DIR/profiles.sqlite)', () => {
  const root = tempRoot('logup-profile-store-');
  let n = 0;
  const freshDir = () => join(root(), `data-${++n}`);
  keepingTests(freshDir);
  diskTests(root, freshDir);
});

function keepingTests(freshDir: () => string) {
  it('creates a profile at the first login, counts later ones, keeps the first date and a chosen name', async () => {
    const store = await ProfileStore.open(freshDir());
    const first = await store.recordLogin('sub_a', 'Visitor 0001', new Date('2026-01-02T03:04:05.000Z'));
    expect(first).toEqual({
      idSubscription: 'sub_a',
      displayName: 'Visitor 0001',
      firstLoginAt: '2026-01-02T03:04:05.000Z',
      lastLoginAt: '2026-01-02T03:04:05.000Z',
      loginCount: 1,
    });
    expect(await store.rename('sub_a', 'Ada')).toMatchObject({ displayName: 'Ada' });
    const again = await store.recordLogin('sub_a', 'Visitor 0001', new Date('2026-02-01T00:00:00.000Z'));
    expect(again).toMatchObject({
      displayName: 'Ada',
      firstLoginAt: '2026-01-02T03:04:05.000Z',
      lastLoginAt: '2026-02-01T00:00:00.000Z',
      loginCount: 2,
    });
    expect(await store.find('sub_nobody')).toBeUndefined();
    expect(await store.rename('sub_nobody', 'X')).toBeUndefined();
    await store.close();
  });

  it('keeps profiles in the file: a new process (a new store) reads them', async () => {
    const dir = freshDir();
    await withStore(dir, (store) => store.recordLogin('sub_b', "Robert'); DROP TABLE profiles;--"));
    expect(await withStore(dir, (store) => store.find('sub_b'))).toMatchObject({
      displayName: "Robert'); DROP TABLE profiles;--",
      loginCount: 1,
    });
    // Closed: the write-ahead log is folded into the file; nothing else is left.
    expect(await readdir(dir)).toEqual([PROFILE_FILE]);
  });

  it('runs concurrent logins one at a time: none is lost', async () => {
    const dir = freshDir();
    await withStore(dir, (store) =>
      Promise.all(Array.from({ length: 20 }, (_, i) => store.recordLogin(`sub_${i % 5}`, `V${i}`))),
    );
    const counts = await withStore(dir, (store) => Promise.all([0, 1, 2, 3, 4].map((i) => store.find(`sub_${i}`))));
    expect(counts.map((p) => p?.loginCount)).toEqual([4, 4, 4, 4, 4]);
  });
}

function diskTests(root: () => string, freshDir: () => string) {
  it('writes what a change touches, not the whole database (20,000 profiles)', async () => {
    const dir = freshDir();
    // Seeded in one transaction, as another program would; then opened by the store.
    const first = await ProfileStore.open(dir);
    await first.recordLogin('sub_0', 'Visitor 0');
    await first.close();
    const seed = new sqlite.Database(join(dir, PROFILE_FILE));
    seed.exec('PRAGMA locking_mode = EXCLUSIVE');
    seed.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 19999)
      INSERT INTO profiles SELECT 'sub_' || i, 'Visitor ' || i, '2026-01-01T00:00:00.000Z',
        '2026-01-01T00:00:00.000Z', 1 FROM n`);
    seed.close();
    const store = await ProfileStore.open(dir);
    const size = (await stat(join(dir, PROFILE_FILE))).size;
    expect(size).toBeGreaterThan(500_000);
    // Bytes this process wrote (Linux /proc/self/io), around 10 renames.
    const written = () => Number(/^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
    const before = written();
    for (let i = 0; i < 10; i++) await store.rename(`sub_${i * 1999}`, `Renamed ${i}`);
    const perRename = (written() - before) / 10;
    expect({ perRename, small: perRename < 64 * 1024 }).toEqual({ perRename, small: true });
    expect(await store.find('sub_1999')).toMatchObject({ displayName: 'Renamed 1' });
    await store.close();
  });

  it('refuses a DATA_DIR that is a file, and a profile file that is no database, naming the path', async () => {
    const file = join(root(), 'a-file');
    await writeFile(file, 'x');
    await expect(ProfileStore.open(file)).rejects.toThrow(
      expect.objectContaining({
        name: 'SampleConfigError',
        message: expect.stringMatching(/^DATA_DIR=.*a-file cannot hold the profile database \(E[A-Z]+\)/),
      }),
    );
    const dir = freshDir();
    await mkdir(dir);
    await writeFile(join(dir, PROFILE_FILE), 'this is not SQLite, just text long enough to have a header');
    await expect(ProfileStore.open(dir)).rejects.toThrow(/profiles\.sqlite is not a profile database/);
  });
}

describe('display names', () => {
  it.each<[unknown, string | undefined]>([
    ['  Ada Lovelace ', 'Ada Lovelace'],
    ['é', 'é'],
    ['x'.repeat(40), 'x'.repeat(40)],
    ['x'.repeat(41), undefined],
    ['', undefined],
    ['   ', undefined],
    ['a\u0000b', undefined],
    ['line\nbreak', undefined],
    [42, undefined],
    [['a'], undefined],
  ])('displayNameOf(%j) is %j', (text, name) => {
    expect(displayNameOf(text)).toBe(name);
  });

  it('gives a subscription the same "Visitor 1234" every time', () => {
    expect(defaultDisplayName('sub_x')).toMatch(/^Visitor \d{4}$/);
    expect(defaultDisplayName('sub_x')).toBe(defaultDisplayName('sub_x'));
  });
});
