// The multi-replica deployment, end to end: redis-server, one LogUp emulator, 3
// replicas of the built sample app and nginx (scripts/cluster-lib.mjs), driven
// through nginx like browsers from distinct loopback addresses (127.0.0.x).
// This file: sessions, logouts, signing out everywhere and the rate limit, shared
// through Redis. The other files: Redis and replica failures, Fastify.
//
//   npm run build && node --test test/cluster/
//
// Needs Debian's redis-server and nginx (scripts/ci-services.sh installs them):
// without them it FAILS, naming what is missing. Checks behaviour, not speed: every
// deadline is generous for a busy 2-core machine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { LOGIN_VALUE_KEYS } from '../support/session-shape.mjs';
import { RATE_LIMIT, assertRefusedEverywhere, csrfOf, logOutKeepingTheSession, useCluster } from './support.mjs';
import { Visitor } from './visitor.mjs';

const set = useCluster({ replicas: 3, callbackRateLimit: RATE_LIMIT });

describe('several replicas behind nginx share the session and the DB', () => {
  /** Six GETs of /me: each shows the login and `row` (a DB row), and every replica answered. */
  async function assertOnEveryReplica(visitor, login, row) {
    const seen = new Set();
    for (let i = 0; i < 6; i += 1) {
      const me = await visitor.get('/me');
      assert.equal(me.status, 200, me.body);
      assert.ok(me.body.includes(login.idSubscription));
      assert.match(me.body, row);
      seen.add(me.replica);
    }
    assert.deepEqual([...seen].sort(), ['r1', 'r2', 'r3']);
  }

  it('logs a visitor in through nginx; every replica then sees the same session and DB', async () => {
    const alice = new Visitor(set.cluster.url, '127.0.0.11');
    const { login, replicas } = await set.logIn(alice, 'alice@example.com', { db: { plan: 'free' } });
    // Home, login start and callback went to different replicas (round-robin): the
    // CSRF secret and the pending login travelled through Redis.
    assert.equal(new Set(replicas).size, 3, `login steps served by ${replicas}`);
    await assertOnEveryReplica(alice, login, /<td class="key">plan<\/td><td class="value">free<\/td>/);

    // A DB change through one replica is what the others show.
    const page = await alice.get('/me');
    const form = { _csrf: csrfOf(page.body), key: 'color', value: 'teal', type: 'string' };
    const saved = await alice.post('/me/db', form);
    assert.equal(saved.status, 303, saved.body);
    await assertOnEveryReplica(alice, login, /<td class="key">color<\/td><td class="value">teal<\/td>/);
  });
});

describe('a logout through one replica holds on every replica', () => {
  it('honours a logout on every replica: a cookie copied before it is refused everywhere', async () => {
    const bob = new Visitor(set.cluster.url, '127.0.0.12');
    const { login: bobLogin } = await set.logIn(bob, 'bob@example.com', {
      db: { secretNote: 'db-value-not-in-redis' },
    });
    const copied = bob.clone('127.0.0.13');
    const me = await bob.get('/me');
    assert.equal(me.status, 200);
    // The session in Redis still exists after the logout (a deletion that failed or
    // lagged): the Redis logout store alone must refuse the copied cookie.
    const { session, login } = await logOutKeepingTheSession(set.cluster.redisUrl, bob, csrfOf(me.body));
    // What the session holds in Redis: ids and times only, never a token or the DB.
    assert.deepEqual(Object.keys(login).sort(), [...LOGIN_VALUE_KEYS]);
    assert.equal(login.idSubscription, bobLogin.idSubscription);
    const text = JSON.stringify(session);
    assert.ok(!text.includes(bobLogin.logupToken) && !text.includes('db-value-not-in-redis'), text);
    await assertRefusedEverywhere(copied, 6, 3);
    assert.equal((await bob.get('/me', { json: true })).status, 401);
  });
});

describe('the callback rate limit is one count across replicas', () => {
  it('counts the callback rate limit across replicas, per client address, whatever X-Forwarded-For says', async () => {
    const mallory = new Visitor(set.cluster.url, '127.0.0.200');
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
    const other = await new Visitor(set.cluster.url, '127.0.0.201').get(
      '/logup/callback?logupToken=x&isNewUser=false',
      { json: true },
    );
    assert.notEqual(other.status, 429);
  });
});

/** A WebSocket to `url` without a cookie: resolves, once closed, to its close code and the messages it got. */
function closedSocket(url) {
  const socket = new WebSocket(url);
  return new Promise((resolve, reject) => {
    const messages = [];
    socket.on('message', (raw) => messages.push(JSON.parse(raw.toString('utf8'))));
    socket.on('close', (code) => resolve({ code, messages }));
    socket.on('error', reject);
  });
}

/**
 * A login through the visitor's replica (its own URL): POST /login (no CSRF token:
 * startLogin refuses other sites), then the callback.
 */
const logInOn = async (visitor, email) => (await set.logIn(visitor, email, { home: false })).login;

describe('signing out everywhere', () => {
  it("refuses the account page's live socket without a login, through nginx", async () => {
    // nginx passes the account page's live socket (a WebSocket upgrade) to a replica,
    // whose gateway refuses a socket without a login: an exception, then close code 4401.
    const refused = await closedSocket(`${set.cluster.url.replace(/^http/, 'ws')}/live`);
    assert.equal(refused.code, 4401);
    assert.equal(refused.messages[0]?.event, 'exception');
  });

  it('signs a subscription out everywhere: a login on replica A ends by a sign-out on replica B', async () => {
    const [a, b] = set.cluster.replicas;
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
    for (const base of [a.url, b.url, set.cluster.url, set.cluster.url]) {
      const me = await phone.clone('127.0.0.73', base).get('/me', { json: true });
      assert.equal(me.status, 401, `${base}: ${me.status} ${me.body}`);
    }
    assert.equal((await laptop.get('/me', { json: true })).status, 401);

    // A new login afterwards works, on every replica.
    const again = await logInOn(phone, email);
    assert.equal(again.idSubscription, phoneLogin.idSubscription);
    for (const base of [a.url, b.url]) {
      const me = await phone.clone('127.0.0.74', base).get('/me');
      assert.equal(me.status, 200, `${base}: ${me.status}`);
      assert.ok(me.body.includes(phoneLogin.idSubscription));
    }
  });
});
