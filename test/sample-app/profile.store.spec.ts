import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDisplayName, displayNameOf } from '../../sample-app/src/profile.login-handler.js';
import { PROFILE_FILE, ProfileStore } from '../../sample-app/src/profile.store.js';

describe('ProfileStore (sql.js, saved to DATA_DIR/profiles.sqlite)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'logup-profile-store-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  let n = 0;
  const freshDir = () => join(root, `data-${++n}`);

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
    const store = await ProfileStore.open(dir);
    await store.recordLogin('sub_b', "Robert'); DROP TABLE profiles;--");
    await store.close();
    const reopened = await ProfileStore.open(dir);
    expect(await reopened.find('sub_b')).toMatchObject({
      displayName: "Robert'); DROP TABLE profiles;--",
      loginCount: 1,
    });
    // Saved by a temporary file and a rename: nothing else is left in the directory.
    expect(await readdir(dir)).toEqual([PROFILE_FILE]);
    await reopened.close();
  });

  it('runs concurrent logins one at a time: none is lost', async () => {
    const dir = freshDir();
    const store = await ProfileStore.open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.recordLogin(`sub_${i % 5}`, `V${i}`)));
    await store.close();
    const reopened = await ProfileStore.open(dir);
    const counts = await Promise.all([0, 1, 2, 3, 4].map((i) => reopened.find(`sub_${i}`)));
    expect(counts.map((p) => p?.loginCount)).toEqual([4, 4, 4, 4, 4]);
    await reopened.close();
  });

  it('undoes a change it could not save, throws, and saves again once the directory is back', async () => {
    const dir = freshDir();
    const store = await ProfileStore.open(dir);
    await store.recordLogin('sub_c', 'C');
    // The directory replaced by a file: no write can succeed, even as root.
    await rm(dir, { recursive: true });
    await writeFile(dir, 'not a directory');
    await expect(store.recordLogin('sub_c', 'C')).rejects.toThrow(/ENOTDIR/);
    await expect(store.recordLogin('sub_d', 'D')).rejects.toThrow(/ENOTDIR/);
    await expect(store.rename('sub_c', 'Renamed')).rejects.toThrow(/ENOTDIR/);
    expect(await store.find('sub_c')).toMatchObject({ displayName: 'C', loginCount: 1 });
    expect(await store.find('sub_d')).toBeUndefined();

    await rm(dir);
    await mkdir(dir);
    expect(await store.recordLogin('sub_c', 'C')).toMatchObject({ loginCount: 2 });
    await store.close();
    const reopened = await ProfileStore.open(dir);
    expect(await reopened.find('sub_c')).toMatchObject({ displayName: 'C', loginCount: 2 });
    expect(await reopened.find('sub_d')).toBeUndefined();
    await reopened.close();
  });

  it('refuses a DATA_DIR that is a file, and a profile file that is no database, naming the path', async () => {
    const file = join(root, 'a-file');
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
});

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
