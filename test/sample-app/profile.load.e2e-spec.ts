import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import { Visitor } from '../support/browserless.js';
import { logIn, startSample, type RunningSample } from '../support/sample-app.js';
import { runningSample } from './sample-suite.js';

/** The size of a site that has been running for a while (the issue measured 20,000). */
const PROFILES = 20_000;
/** Posts of the busy visitor in one burst, and how many of them are in flight at once. */
const BURST = 200;
const IN_FLIGHT = 8;

/** DATA_DIR with PROFILES profiles, in the sample's schema, written as another program would. */
async function seededDataDir(root: string): Promise<string> {
  const dir = join(root, 'data');
  await mkdir(dir, { mode: 0o700 });
  const db = new sqlite.Database(join(dir, 'profiles.sqlite'));
  try {
    db.exec(`CREATE TABLE profiles (
      id_subscription TEXT PRIMARY KEY, display_name TEXT NOT NULL, first_login_at TEXT NOT NULL,
      last_login_at TEXT NOT NULL, login_count INTEGER NOT NULL) STRICT`);
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${PROFILES})
      INSERT INTO profiles SELECT 'sub_seed_' || i, 'Visitor ' || i, '2026-01-01T00:00:00.000Z',
        '2026-01-01T00:00:00.000Z', 1 FROM n`);
  } finally {
    db.close();
  }
  return dir;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The time one GET /me takes, in ms (it reads the profile). */
async function timedMe(visitor: Visitor): Promise<number> {
  const started = performance.now();
  const res = await visitor.get('/me');
  if (res.status !== 200) throw new Error(`GET /me answered ${res.status}`);
  return performance.now() - started;
}

/**
 * The other visitor's median /me while the busy one keeps IN_FLIGHT posts to
 * /me/profile going (BURST in all), made with `form`.
 */
async function otherMeDuringBurst(busy: Visitor, other: Visitor, form: () => Record<string, string>) {
  let sent = 0;
  const statuses = new Set<number>();
  const poster = async () => {
    while (sent < BURST) {
      sent++;
      statuses.add((await busy.post('/me/profile', form())).status);
    }
  };
  const posters = Promise.all(Array.from({ length: IN_FLIGHT }, poster));
  const during: number[] = [];
  try {
    while (sent < IN_FLIGHT * 2) await new Promise((r) => setTimeout(r, 5));
    while (sent < BURST) during.push(await timedMe(other));
  } finally {
    sent = BURST;
    await posters;
  }
  return { ms: median(during), statuses: [...statuses].sort() };
}

/** Issue 19, item 8: one visitor's renames must not stall every visitor. */
describe('profile writes under load (express)', () => {
  let root: string;
  let sample: RunningSample;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'logup-sample-load-'));
    // The default WRITE_RATE_LIMIT (20 a minute per visitor), as a site runs it.
    sample = await startSample('express', { DATA_DIR: await seededDataDir(root), WRITE_RATE_LIMIT: '' });
  });
  afterAll(async () => {
    await sample?.close();
    await rm(root, { recursive: true, force: true });
  });

  it(`keeps another visitor's /me near its baseline while one visitor sends a burst of renames (${PROFILES} profiles)`, async () => {
    const busy = new Visitor(sample.url);
    const other = new Visitor(sample.url);
    await logIn(sample, busy, { email: `busy-${process.pid}@example.com` });
    await logIn(sample, other, { email: `other-${process.pid}@example.com` });
    const csrf = Visitor.csrfOf((await busy.get('/me')).body);
    for (let i = 0; i < 5; i++) await timedMe(other); // warm-up

    // The baseline: the same burst of posts, refused before any write (a wrong CSRF
    // token, 403), so that both measures carry the same request load on this process
    // and only what the renames themselves cost (and any waiting behind them) differs.
    const baseline = await otherMeDuringBurst(busy, other, () => ({ _csrf: 'wrong', displayName: 'X' }));
    let n = 0;
    const renames = await otherMeDuringBurst(busy, other, () => ({ _csrf: csrf, displayName: `Busy ${++n}` }));
    const ratio = renames.ms / Math.max(baseline.ms, 1);
    // Generous for a busy 2-core machine; a read waiting behind a queue of whole-file
    // rewrites (the 27 s) is far beyond it.
    const measured = { baselineMs: Math.round(baseline.ms), duringRenamesMs: Math.round(renames.ms) };
    expect({ ...measured, withinFourTimes: ratio <= 4 }).toEqual({ ...measured, withinFourTimes: true });
    // The first 20 renames are saved, the rest refused by the per-visitor rate limit.
    expect(baseline.statuses).toEqual([403]);
    expect(renames.statuses).toEqual([303, 429]);
  });
});

/** Issue 19, item 8: a visitor's changes are rate-limited (WRITE_RATE_LIMIT per minute), per visitor. */
describe.each(['express', 'fastify'] as const)('changes per visitor per minute (%s)', (adapter) => {
  const running = runningSample(adapter, { WRITE_RATE_LIMIT: '4' });

  it('answers 429 with Retry-After past WRITE_RATE_LIMIT changes, counting renames and DB forms, changing nothing', async () => {
    const { sample } = running;
    const busy = new Visitor(sample.url);
    const other = new Visitor(sample.url);
    const login = await logIn(sample, busy, { email: `limit-${adapter}-${process.pid}@example.com`, db: { k: 'v' } });
    await logIn(sample, other, { email: `limit-other-${adapter}-${process.pid}@example.com` });
    const csrf = Visitor.csrfOf((await busy.get('/me')).body);
    expect((await busy.post('/me/profile', { _csrf: csrf, displayName: 'One' })).status).toBe(303);
    expect((await busy.post('/me/profile', { _csrf: csrf, displayName: 'Two' })).status).toBe(303);
    expect((await busy.post('/me/db', { _csrf: csrf, key: 'a', value: '1' })).status).toBe(303);
    expect((await busy.post('/me/db/delete', { _csrf: csrf, keys: 'a' })).status).toBe(303);

    const refused = await busy.post('/me/profile', { _csrf: csrf, displayName: 'Five' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.body).toContain('You are making changes too quickly: at most 4 a minute.');
    const json = await busy.request('POST', '/me/db', { form: { _csrf: csrf, key: 'b', value: '2' }, html: false });
    expect(json.status).toBe(429);
    expect(JSON.parse(json.body)).toMatchObject({
      statusCode: 429,
      message: expect.stringMatching(/at most 4 changes a minute per visitor/),
    });
    expect((await busy.post('/me/db/delete', { _csrf: csrf, keys: 'k' })).status).toBe(429);
    // Nothing was changed by the refused requests.
    expect(/id="displayName"[^>]*>([^<]*)</.exec((await busy.get('/me')).body)?.[1]).toBe('Two');
    expect(await sample.emulator.db(login.idSubscription)).toEqual({ k: 'v' });

    // Another visitor has their own count.
    const otherCsrf = Visitor.csrfOf((await other.get('/me')).body);
    expect((await other.post('/me/profile', { _csrf: otherCsrf, displayName: 'Unaffected' })).status).toBe(303);
  });
});
