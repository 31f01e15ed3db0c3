// The multi-replica deployment, end to end: redis-server, one LogUp emulator, 3
// replicas of the built sample app and nginx (scripts/cluster-lib.mjs), driven
// through nginx like browsers from distinct loopback addresses (127.0.0.x).
//
//   npm run build && node --test test/cluster/
//
// Needs Debian's redis-server and nginx (scripts/ci-services.sh installs them):
// without them it FAILS, naming what is missing. Checks behaviour, not speed: every
// deadline is generous for a busy 2-core machine.
/* global fetch, AbortSignal -- Node 20 has both */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { clearTimeout } from 'node:timers';
import { URL, URLSearchParams } from 'node:url';
import { after, before, describe, it, test } from 'node:test';
import { createClient } from 'redis';
import WebSocket from 'ws';
import { CLUSTER_GATE, startCluster } from '../../scripts/cluster-lib.mjs';
import { LOGIN_VALUE_KEYS } from '../support/session-shape.mjs';

const RATE_LIMIT = 5;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A cookie-keeping browser stand-in on its own loopback address (the rate limit counts per address). */
class Visitor {
  cookies = new Map();

  constructor(base, localAddress) {
    this.base = new URL(base);
    this.localAddress = localAddress;
  }

  /** One request; resolves to { status, headers, body, replica, location, ms }. */
  request(method, path, { form, json = false, headers = {}, deadlineMs = 30_000 } = {}) {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const all = { accept: json ? 'application/json' : 'text/html', ...headers };
    if (this.cookies.size > 0) all.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) {
      all['content-type'] = 'application/x-www-form-urlencoded';
      all['content-length'] = String(Buffer.byteLength(body));
    }
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: this.base.hostname,
          port: this.base.port,
          path,
          method,
          headers: all,
          localAddress: this.localAddress,
          agent: false,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => {
            clearTimeout(timer);
            for (const cookie of [res.headers['set-cookie'] ?? []].flat()) {
              const [pair] = cookie.split(';');
              const at = pair.indexOf('=');
              const name = pair.slice(0, at);
              const value = pair.slice(at + 1);
              if (value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) this.cookies.delete(name);
              else this.cookies.set(name, value);
            }
            resolve({
              status: res.statusCode,
              headers: res.headers,
              body: text,
              replica: res.headers['x-replica'],
              location: res.headers.location,
              ms: Date.now() - started,
            });
          });
          res.on('error', reject);
        },
      );
      // A hard deadline: a hung answer fails the test instead of hanging it.
      const timer = setTimeout(
        () => req.destroy(new Error(`${method} ${path} got no answer within ${deadlineMs} ms`)),
        deadlineMs,
      );
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(body);
    });
  }

  get = (path, options) => this.request('GET', path, options);
  post = (path, form, options) => this.request('POST', path, { ...options, form });

  /** A visitor with a copy of this one's cookies (a cookie copied by someone else). */
  clone(localAddress) {
    const copy = new Visitor(this.base.toString(), localAddress);
    for (const [k, v] of this.cookies) copy.cookies.set(k, v);
    return copy;
  }
}

/** The sample's session cookie. */
const SESSION_COOKIE = 'logup_sample_session';

/** The Redis key of a visitor's session (express-session `s:<id>.<sig>`, @fastify/session `<id>.<sig>`). */
function sessionKeyOf(visitor) {
  const value = decodeURIComponent(visitor.cookies.get(SESSION_COOKIE) ?? '');
  assert.ok(value, 'no session cookie');
  const signed = value.startsWith('s:') ? value.slice(2) : value;
  return `sess:${signed.slice(0, signed.lastIndexOf('.'))}`;
}

/**
 * Logs `visitor` out, then puts its session back into Redis as it was, as a store whose
 * deletion failed or lagged would keep it: only the logout store (`logup:revoked:<sid>`)
 * can still refuse a copy of the cookie. Answers the session's login value.
 */
async function logOutKeepingTheSession(redisUrl, visitor, csrf) {
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  try {
    const key = sessionKeyOf(visitor);
    const stored = await redis.get(key);
    assert.ok(stored, `no session ${key} in Redis`);
    const ttl = await redis.pTTL(key);
    const logout = await visitor.post('/logout', { _csrf: csrf });
    assert.equal(logout.status, 303, logout.body);
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

const csrfOf = (html) => {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match, `no CSRF token on the page:\n${html.slice(0, 500)}`);
  return match[1];
};

describe('several replicas behind nginx, state in Redis', () => {
  let cluster;
  let emulator;

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

  /** Home page, POST /login (the pending login lands in the session in Redis), then a callback. */
  async function startLogin(visitor) {
    const home = await visitor.get('/');
    assert.equal(home.status, 200, home.body);
    const start = await visitor.post('/login', {});
    assert.equal(start.status, 303, start.body);
    assert.ok(start.location.startsWith(`${cluster.emulatorUrl}/login`), start.location);
    return [home.replica, start.replica];
  }

  async function mint(email, db) {
    return control('POST', 'login', { idGate: CLUSTER_GATE.idGate, email, db });
  }

  const callbackPath = (token) => `/logup/callback?next=%2Fme&logupToken=${token}&isNewUser=false`;

  async function logIn(visitor, email, db) {
    const replicas = await startLogin(visitor);
    const login = await mint(email, db);
    const callback = await visitor.get(callbackPath(login.logupToken));
    assert.equal(callback.status, 303, callback.body);
    assert.equal(callback.location, '/me');
    return { login, replicas: [...replicas, callback.replica] };
  }

  before(async () => {
    // Fails (never skips) without redis-server, nginx or the build.
    cluster = await startCluster({ replicas: 3, callbackRateLimit: RATE_LIMIT });
    emulator = (path) => control('GET', path);
  });

  after(async () => {
    await cluster?.stop();
  });

  const alice = () => new Visitor(cluster.url, '127.0.0.11');
  let aliceVisitor;
  let aliceLogin;

  it('logs a visitor in through nginx; every replica then sees the same session and DB', async () => {
    aliceVisitor = alice();
    const { login, replicas } = await logIn(aliceVisitor, 'alice@example.com', { plan: 'free' });
    aliceLogin = login;
    // Home, login start and callback went to different replicas (round-robin): the
    // CSRF secret and the pending login travelled through Redis.
    assert.equal(new Set(replicas).size, 3, `login steps served by ${replicas}`);
    const seen = new Set();
    for (let i = 0; i < 6; i += 1) {
      const me = await aliceVisitor.get('/me');
      assert.equal(me.status, 200, me.body);
      assert.ok(me.body.includes(login.idSubscription));
      assert.match(me.body, /<td class="key">plan<\/td><td class="value">free<\/td>/);
      seen.add(me.replica);
    }
    assert.deepEqual([...seen].sort(), ['r1', 'r2', 'r3']);

    // A DB change through one replica is what the others show.
    const page = await aliceVisitor.get('/me');
    const saved = await aliceVisitor.post('/me/db', {
      _csrf: csrfOf(page.body),
      key: 'color',
      value: 'teal',
      type: 'string',
    });
    assert.equal(saved.status, 303, saved.body);
    const after = new Set();
    for (let i = 0; i < 3; i += 1) {
      const me = await aliceVisitor.get('/me');
      assert.equal(me.status, 200);
      assert.match(me.body, /<td class="key">color<\/td><td class="value">teal<\/td>/);
      after.add(me.replica);
    }
    assert.equal(after.size, 3);
  });

  it('honours a logout on every replica: a cookie copied before it is refused everywhere', async () => {
    const bob = new Visitor(cluster.url, '127.0.0.12');
    const { login: bobLogin } = await logIn(bob, 'bob@example.com', { secretNote: 'db-value-not-in-redis' });
    const copied = bob.clone('127.0.0.13');
    const me = await bob.get('/me');
    assert.equal(me.status, 200);
    // The session in Redis still exists after the logout (a deletion that failed or
    // lagged): the Redis logout store alone must refuse the copied cookie.
    const { session, login } = await logOutKeepingTheSession(cluster.redisUrl, bob, csrfOf(me.body));
    // What the session holds in Redis: ids and times only, never a token or the DB.
    assert.deepEqual(Object.keys(login).sort(), [...LOGIN_VALUE_KEYS]);
    assert.equal(login.idSubscription, bobLogin.idSubscription);
    const text = JSON.stringify(session);
    assert.ok(!text.includes(bobLogin.logupToken) && !text.includes('db-value-not-in-redis'), text);
    const refusedBy = new Set();
    for (let i = 0; i < 6; i += 1) {
      const replay = await copied.get('/me', { json: true });
      assert.equal(replay.status, 401, `replayed cookie on ${replay.replica}: ${replay.status} ${replay.body}`);
      refusedBy.add(replay.replica);
    }
    assert.deepEqual([...refusedBy].sort(), ['r1', 'r2', 'r3']);
    assert.equal((await bob.get('/me', { json: true })).status, 401);
  });

  it('counts the callback rate limit across replicas, per client address, whatever X-Forwarded-For says', async () => {
    const mallory = new Visitor(cluster.url, '127.0.0.200');
    const answers = [];
    for (let i = 0; i < RATE_LIMIT + 3; i += 1) {
      // A forged X-Forwarded-For: nginx replaces it with the address it sees.
      const res = await mallory.get('/logup/callback?logupToken=x&isNewUser=false', {
        json: true,
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
      });
      answers.push({ status: res.status, replica: res.replica });
    }
    const allowed = answers.filter((a) => a.status !== 429);
    assert.equal(allowed.length, RATE_LIMIT, JSON.stringify(answers));
    assert.ok(
      answers.slice(RATE_LIMIT).every((a) => a.status === 429),
      JSON.stringify(answers),
    );
    // Each replica alone saw fewer than the limit: only a shared count refuses.
    assert.equal(new Set(answers.map((a) => a.replica)).size, 3, JSON.stringify(answers));
    // Another address is not limited.
    const other = await new Visitor(cluster.url, '127.0.0.201').get('/logup/callback?logupToken=x&isNewUser=false', {
      json: true,
    });
    assert.notEqual(other.status, 429);
  });

  it('answers a clear 503 while Redis is down or frozen, and recovers by itself', async () => {
    const check503 = async (what) => {
      const seen = new Set();
      for (let i = 0; i < 3; i += 1) {
        const page = await aliceVisitor.get('/me', { deadlineMs: 15_000 });
        assert.equal(page.status, 503, `${what}: ${page.status} ${page.body.slice(0, 300)}`);
        // "within about a second": Redis commands have a 1 s deadline, and no offline queue.
        assert.ok(page.ms < 2_000, `${what}: the 503 took ${page.ms} ms`);
        assert.match(page.body, /session store/);
        assert.match(page.headers['content-type'], /text\/html/);
        assert.equal(page.headers['retry-after'], '5');
        seen.add(page.replica);
        const api = await aliceVisitor.get('/me', { json: true, deadlineMs: 15_000 });
        assert.equal(api.status, 503);
        assert.equal(JSON.parse(api.body).statusCode, 503);
      }
      assert.equal(seen.size, 3, `${what}: 503 from ${[...seen]}`);
    };
    const recovered = async (what) => {
      const deadline = Date.now() + 30_000;
      let last;
      while (Date.now() < deadline) {
        last = await aliceVisitor.get('/me', { deadlineMs: 15_000 }).catch((e) => ({ status: String(e) }));
        if (last.status === 200) break;
        await sleep(200);
      }
      assert.equal(last.status, 200, `${what}: not back within 30 s (${last.status})`);
      for (let i = 0; i < 3; i += 1) {
        const me = await aliceVisitor.get('/me');
        assert.equal(me.status, 200, `${what}: ${me.status}`);
        assert.ok(me.body.includes(aliceLogin.idSubscription), 'the session survived');
      }
    };

    await cluster.stopRedis();
    await check503('Redis stopped');
    await cluster.startRedis();
    await recovered('Redis restarted');

    // Frozen: connected but silent. Commands time out (1 s) instead of hanging.
    cluster.pauseRedis(true);
    try {
      await check503('Redis frozen');
    } finally {
      cluster.pauseRedis(false);
    }
    await recovered('Redis thawed');
  });

  it('loses no session and answers no 5xx when a replica is killed under load', async () => {
    const visitors = [];
    for (let i = 0; i < 6; i += 1) {
      const visitor = new Visitor(cluster.url, `127.0.0.${21 + i}`);
      const { login } = await logIn(visitor, `load${i}@example.com`);
      visitors.push({ visitor, login });
    }
    const results = [];
    let killedAt;
    const runFor = 8_000;
    const started = Date.now();
    const load = visitors.map(async ({ visitor, login }) => {
      while (Date.now() - started < runFor) {
        const at = Date.now();
        const res = await visitor.get('/me').catch((e) => ({ status: `error ${e.message}` }));
        results.push({
          at,
          status: res.status,
          replica: res.replica,
          own: res.status === 200 && res.body.includes(login.idSubscription),
        });
      }
    });
    await sleep(2_500);
    killedAt = Date.now();
    await cluster.replicas[2].stop('SIGKILL');
    const diedAt = Date.now();
    await Promise.all(load);

    // A request the dying replica had already started to answer cannot be routed
    // elsewhere: nginx can only close that connection (no 5xx either way). Those,
    // and only those, may fail: transport errors of requests started before it died.
    const cutOff = results.filter((r) => String(r.status).startsWith('error') && r.at <= diedAt);
    const bad = results.filter((r) => (r.status !== 200 || !r.own) && !cutOff.includes(r));
    assert.ok(cutOff.length <= visitors.length, `more cut-off requests than visitors: ${cutOff.length}`);
    const byReplica = {};
    for (const r of results) byReplica[r.replica] = (byReplica[r.replica] ?? 0) + 1;
    const afterKill = results.filter((r) => r.at > killedAt + 100);
    const summary = `${results.length} requests, per replica ${JSON.stringify(byReplica)}, ${afterKill.length} after the kill, ${cutOff.length} cut off mid-answer by the kill`;
    process.stdout.write(`# kill under load: ${summary}\n`);
    assert.deepEqual(bad, [], summary);
    assert.ok(afterKill.length >= 20, summary);
    assert.ok(
      afterKill.every((r) => r.replica !== 'r3'),
      summary,
    );
    assert.ok(
      results.some((r) => r.replica === 'r3'),
      `r3 served nothing before the kill: ${summary}`,
    );
  });

  it('fails logins in flight on a killed replica cleanly, never verifying a token twice', async () => {
    // Let nginx see r3 dead again (location / retries elsewhere), so callbacks go to r1 and r2.
    for (let i = 0; i < 4; i += 1) await new Visitor(cluster.url, '127.0.0.40').get('/');
    const count = 6;
    const visitors = [];
    for (let i = 0; i < count; i += 1) {
      const visitor = new Visitor(cluster.url, `127.0.0.${41 + i}`);
      await startLogin(visitor);
      visitors.push({ visitor, login: await mint(`inflight${i}@example.com`) });
    }
    const before = await emulator('stats');
    // LogUp holds every verification until told: the callbacks are in flight when r2 dies.
    await control('POST', 'faults', { kind: 'hold', endpoint: 'verification', count });
    const answers = [];
    const callbacks = visitors.map(({ visitor, login }, i) =>
      visitor
        .get(callbackPath(login.logupToken), { deadlineMs: 30_000 })
        .catch((e) => ({ status: String(e) }))
        .then((answer) => (answers[i] = answer)),
    );
    // Every callback is either held at LogUp or already answered (nginx found no replica).
    for (const bound = Date.now() + 20_000; ; await sleep(20)) {
      const { held } = await emulator('stats');
      if (held + answers.filter(Boolean).length === count) break;
      assert.ok(Date.now() < bound, `callbacks not in flight: ${held} held`);
    }
    await cluster.replicas[1].stop('SIGKILL');
    await control('POST', 'faults/release', {});
    await Promise.all(callbacks);
    assert.equal((await emulator('stats')).held, 0);
    await sleep(500); // what r2 had sent before dying reaches the emulator's handler, if at all
    const stats = await emulator('stats');
    await control('DELETE', 'faults');

    const statuses = answers.map((a) => a.status);
    process.stdout.write(`# callbacks in flight at the kill: ${JSON.stringify(statuses)}\n`);
    assert.ok(
      statuses.every((s) => s === 303 || s === 502),
      JSON.stringify(statuses),
    );
    for (const answer of answers.filter((a) => a.status === 502)) {
      assert.match(answer.body, /Login interrupted/);
    }
    // Which replica each callback went to (nginx logs the client address and the
    // upstream): those on the killed r2 are interrupted (502), the others log in (303).
    const nginxLog = await readFile(join(cluster.dir, 'nginx', 'access.log'), 'utf8');
    // r3 died in the test before: a callback nginx still tried there is interrupted too.
    const deadPorts = [cluster.replicas[1].port, cluster.replicas[2].port].map((port) => `:${port}`);
    for (let i = 0; i < count; i += 1) {
      const line = nginxLog
        .split('\n')
        .find((l) => l.startsWith(`127.0.0.${41 + i} `) && l.includes('/logup/callback'));
      assert.ok(line, `no nginx log line for callback ${i}`);
      const upstream = /upstream=(\S+)/.exec(line)[1];
      const onKilled = deadPorts.some((port) => upstream.endsWith(port));
      assert.equal(statuses[i], onKilled ? 502 : 303, `callback ${i} on ${upstream}: ${statuses[i]}`);
    }
    assert.ok(statuses.includes(502), `no callback was in flight on r2: ${JSON.stringify(statuses)}`);
    // nginx sent each callback to one replica only (its log lists every replica it
    // tried), so no token reached LogUp twice: at most one verification per callback.
    const log = await readFile(join(cluster.dir, 'nginx', 'access.log'), 'utf8');
    const callbackLines = log.split('\n').filter((line) => line.includes('/logup/callback'));
    assert.ok(callbackLines.length > 0);
    assert.deepEqual(
      callbackLines.filter((line) => /upstream=\S+, /.test(line)),
      [],
      'a callback was retried on another replica',
    );
    const retriedReads = log.split('\n').filter((line) => /"GET \/me" 200 upstream=\S+, /.test(line)).length;
    process.stdout.write(`# nginx retried ${retriedReads} GET /me elsewhere when replicas died\n`);
    const verifications = stats.verifications - before.verifications;
    assert.ok(verifications <= count, `${verifications} verifications for ${count} callbacks`);
    assert.ok(verifications >= statuses.filter((s) => s === 303).length);
    // Who got a 303 is logged in; who got a 502 is not (and starts again).
    for (let i = 0; i < count; i += 1) {
      const me = await visitors[i].visitor.get('/me', { json: true });
      assert.equal(me.status, answers[i].status === 303 ? 200 : 401, `visitor ${i}: ${me.status}`);
    }
  });

  it('made at most one token grant per replica (no shared token, one per token lifetime)', async () => {
    const stats = await emulator('stats');
    process.stdout.write(`# emulator: ${stats.tokenGrants} token grants, ${stats.verifications} verifications\n`);
    assert.ok(stats.tokenGrants >= 1 && stats.tokenGrants <= cluster.replicas.length, JSON.stringify(stats));
  });
});

describe('the same on Fastify (@fastify/session with the Redis store)', () => {
  let cluster;

  before(async () => {
    cluster = await startCluster({ replicas: 2, adapter: 'fastify', callbackRateLimit: RATE_LIMIT });
  });

  after(async () => {
    await cluster?.stop();
  });

  it('logs in across replicas, honours a logout everywhere, and answers 503 without Redis', async () => {
    const visitor = new Visitor(cluster.url, '127.0.0.60');
    const home = await visitor.get('/');
    const start = await visitor.post('/login', {});
    assert.equal(start.status, 303, start.body);
    assert.notEqual(home.replica, start.replica);
    const res = await fetch(`${cluster.emulatorUrl}/__emulator/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ idGate: CLUSTER_GATE.idGate, email: 'fastify@example.com' }),
      signal: AbortSignal.timeout(20_000),
    });
    const login = await res.json();
    const callback = await visitor.get(`/logup/callback?next=%2Fme&logupToken=${login.logupToken}&isNewUser=true`);
    assert.equal(callback.status, 303, callback.body);
    const seen = new Set();
    let page;
    for (let i = 0; i < 4; i += 1) {
      page = await visitor.get('/me');
      assert.equal(page.status, 200, page.body);
      assert.ok(page.body.includes(login.idSubscription));
      seen.add(page.replica);
    }
    assert.equal(seen.size, 2);

    await cluster.stopRedis();
    const down = await visitor.get('/me', { deadlineMs: 15_000 });
    assert.equal(down.status, 503);
    assert.match(down.body, /session store/);
    await cluster.startRedis();
    const deadline = Date.now() + 30_000;
    while ((await visitor.get('/me')).status !== 200) {
      assert.ok(Date.now() < deadline, 'not back within 30 s');
      await sleep(200);
    }

    const copied = visitor.clone('127.0.0.61');
    // As on Express: the session is put back after the logout, and still refused everywhere.
    const { login: kept } = await logOutKeepingTheSession(cluster.redisUrl, visitor, csrfOf(page.body));
    assert.deepEqual(Object.keys(kept).sort(), [...LOGIN_VALUE_KEYS]);
    const refusedBy = new Set();
    for (let i = 0; i < 4; i += 1) {
      const replay = await copied.get('/me', { json: true });
      assert.equal(replay.status, 401, `replayed cookie on ${replay.replica}: ${replay.status}`);
      refusedBy.add(replay.replica);
    }
    assert.equal(refusedBy.size, 2);
  });
});

test('signs a subscription out everywhere: a login on replica A ends by a sign-out on replica B', async () => {
  const cluster = await startCluster({ replicas: 2 });
  try {
    const [a, b] = cluster.replicas;
    const mint = async (email) => {
      const res = await fetch(`${cluster.emulatorUrl}/__emulator/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ idGate: CLUSTER_GATE.idGate, email }),
        signal: AbortSignal.timeout(20_000),
      });
      return res.json();
    };
    /** A login through the visitor's replica (its own URL): POST /login (no CSRF token: startLogin refuses other sites), callback. */
    const logInOn = async (visitor, email) => {
      const start = await visitor.post('/login', {});
      assert.equal(start.status, 303, start.body);
      const login = await mint(email);
      const callback = await visitor.get(`/logup/callback?next=%2Fme&logupToken=${login.logupToken}&isNewUser=false`);
      assert.equal(callback.status, 303, callback.body);
      return login;
    };
    // nginx passes the account page's live socket (a WebSocket upgrade) to a replica,
    // whose gateway refuses a socket without a login: an exception, then close code 4401.
    const anonymous = new WebSocket(`${cluster.url.replace(/^http/, 'ws')}/live`);
    const refused = await new Promise((resolve, reject) => {
      const messages = [];
      anonymous.on('message', (raw) => messages.push(JSON.parse(raw.toString('utf8'))));
      anonymous.on('close', (code) => resolve({ code, messages }));
      anonymous.on('error', reject);
    });
    assert.equal(refused.code, 4401);
    assert.equal(refused.messages[0]?.event, 'exception');

    const email = 'everywhere@example.com';
    const phone = new Visitor(a.url, '127.0.0.71');
    const laptop = new Visitor(b.url, '127.0.0.72');
    const phoneLogin = await logInOn(phone, email);
    await logInOn(laptop, email);
    const onA = await phone.get('/me');
    assert.equal(onA.status, 200, onA.body);
    assert.equal(onA.replica, 'r1');

    // "Log out of all devices" on replica B, from the laptop.
    const home = await laptop.get('/');
    assert.equal(home.replica, 'r2');
    const out = await laptop.post('/logout-everywhere', { _csrf: csrfOf(home.body) });
    assert.equal(out.status, 303, out.body);
    assert.equal(out.location, '/?notice=logged-out-everywhere');

    // The phone's login, made on replica A before that moment, is refused on A, on B and through nginx.
    for (const base of [a.url, b.url, cluster.url, cluster.url]) {
      const replay = phone.clone('127.0.0.73');
      replay.base = new URL(base);
      const me = await replay.get('/me', { json: true });
      assert.equal(me.status, 401, `${base}: ${me.status} ${me.body}`);
    }
    assert.equal((await laptop.get('/me', { json: true })).status, 401);

    // A new login afterwards works, on every replica.
    const again = await logInOn(phone, email);
    assert.equal(again.idSubscription, phoneLogin.idSubscription);
    for (const base of [a.url, b.url]) {
      const replay = phone.clone('127.0.0.74');
      replay.base = new URL(base);
      const me = await replay.get('/me');
      assert.equal(me.status, 200, `${base}: ${me.status}`);
      assert.ok(me.body.includes(phoneLogin.idSubscription));
    }
  } finally {
    await cluster.stop();
  }
});
