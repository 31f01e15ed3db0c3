// What the cluster suites share: one cluster per file (useCluster), the emulator's
// control API, the login steps a browser takes through nginx, and a logout whose
// session deletion failed. The cluster comes from scripts/cluster-lib.mjs.
/* global AbortSignal -- Node 20 has it */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { createClient } from 'redis';
import { CLUSTER_GATE, startCluster } from '../../scripts/cluster-lib.mjs';

/** The callback rate limit the suites start their replicas with (per client address per minute). */
export const RATE_LIMIT = 5;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The sample's session cookie. */
const SESSION_COOKIE = 'logup_sample_session';

/**
 * Starts a cluster (startCluster's options) before the file's tests and stops it after
 * them. Answers an object that then holds `cluster` and the steps of clusterSteps.
 */
export function useCluster(options) {
  const state = {};
  // Fails (never skips) without redis-server, nginx or the build.
  before(async () => {
    state.cluster = await startCluster(options);
    Object.assign(state, clusterSteps(state.cluster));
  });
  after(async () => {
    await state.cluster?.stop();
  });
  return state;
}

/** The callback LogUp's page sends a browser to, back to /me. */
export const callbackPath = (token, isNewUser = false) =>
  `/logup/callback?next=%2Fme&logupToken=${token}&isNewUser=${isNewUser}`;

/** The emulator's control API and the login steps, on one cluster. */
export function clusterSteps(cluster) {
  /** The emulator's control API (JSON only). */
  async function control(method, path, body) {
    const res = await fetch(`${cluster.emulatorUrl}/__emulator/${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    assert.ok(res.ok, `emulator ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
  const mint = (email, db) => control('POST', 'login', { idGate: CLUSTER_GATE.idGate, email, db });

  /** The home page (unless `home` is false), then POST /login: the pending login lands in the session in Redis. */
  async function startLogin(visitor, { home = true } = {}) {
    const page = home ? await visitor.get('/') : undefined;
    if (page) assert.equal(page.status, 200, page.body);
    const start = await visitor.post('/login', {});
    assert.equal(start.status, 303, start.body);
    assert.ok(start.location.startsWith(`${cluster.emulatorUrl}/login`), start.location);
    return [page?.replica, start.replica];
  }

  /** startLogin, a login at LogUp, the callback; answers the login and the replicas of each step. */
  async function logIn(visitor, email, { db, home, isNewUser } = {}) {
    const replicas = await startLogin(visitor, { home });
    const login = await mint(email, db);
    const callback = await visitor.get(callbackPath(login.logupToken, isNewUser));
    assert.equal(callback.status, 303, callback.body);
    assert.equal(callback.location, '/me');
    return { login, replicas: [...replicas, callback.replica] };
  }

  return { control, stats: () => control('GET', 'stats'), mint, startLogin, logIn };
}

export const csrfOf = (html) => {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match, `no CSRF token on the page:\n${html.slice(0, 500)}`);
  return match[1];
};

/** The Redis key of a visitor's session (express-session `s:<id>.<sig>`, @fastify/session `<id>.<sig>`). */
function sessionKeyOf(visitor) {
  const value = decodeURIComponent(visitor.cookies.get(SESSION_COOKIE) ?? '');
  assert.ok(value, 'no session cookie');
  const signed = value.startsWith('s:') ? value.slice(2) : value;
  return `sess:${signed.slice(0, signed.lastIndexOf('.'))}`;
}

/** Waits until the app has ended the session under `key`: deleted, or kept without the login. */
async function waitForLogout(redis, key) {
  // The app ends the session as it answers (the write may land just after the 303):
  // deleted, or (@fastify/session saves a destroyed session it saw modified) without the login.
  const ended = async () => {
    const now = await redis.get(key);
    return now === null || !('logup' in JSON.parse(now));
  };
  for (const bound = Date.now() + 5_000; !(await ended()); await sleep(20)) {
    assert.ok(Date.now() < bound, `logout left the login in ${key}`);
  }
  process.stdout.write(
    `# after logout, the session record is ${(await redis.exists(key)) ? 'kept, without the login' : 'deleted'}\n`,
  );
}

/**
 * Logs `visitor` out, then puts its session back into Redis as it was, as a store whose
 * deletion failed or lagged would keep it: only the logout store (`logup:revoked:<sid>`)
 * can still refuse a copy of the cookie. Answers the session and its login value.
 */
export async function logOutKeepingTheSession(redisUrl, visitor, csrf) {
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  try {
    const key = sessionKeyOf(visitor);
    const stored = await redis.get(key);
    assert.ok(stored, `no session ${key} in Redis`);
    const ttl = await redis.pTTL(key);
    const logout = await visitor.post('/logout', { _csrf: csrf });
    assert.equal(logout.status, 303, logout.body);
    await waitForLogout(redis, key);
    await redis.set(key, stored, { expiration: { type: 'PX', value: ttl > 0 ? ttl : 60_000 } });
    const login = JSON.parse(stored).logup;
    // Remembered until the login would have expired anyway.
    const revokedFor = await redis.pTTL(`logup:revoked:${login.sid}`);
    assert.ok(revokedFor > 0, `no logout recorded for the session (PTTL ${revokedFor})`);
    return { session: JSON.parse(stored), login };
  } finally {
    await redis.quit();
  }
}

/** Asserts that a copy of a logged-out visitor's cookie is refused (401) `times` times, by every replica. */
export async function assertRefusedEverywhere(copied, times, replicaCount) {
  const refusedBy = new Set();
  for (let i = 0; i < times; i += 1) {
    const replay = await copied.get('/me', { json: true });
    assert.equal(replay.status, 401, `replayed cookie on ${replay.replica}: ${replay.status} ${replay.body}`);
    refusedBy.add(replay.replica);
  }
  assert.equal(refusedBy.size, replicaCount, `refused by ${[...refusedBy]}`);
}
