// The cluster (see sessions.test.mjs) on Fastify: @fastify/session with the Redis store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOGIN_VALUE_KEYS } from '../support/session-shape.mjs';
import { RATE_LIMIT, assertRefusedEverywhere, csrfOf, logOutKeepingTheSession, sleep, useCluster } from './support.mjs';
import { Visitor } from './visitor.mjs';

const set = useCluster({ replicas: 2, adapter: 'fastify', callbackRateLimit: RATE_LIMIT });

describe('the same on Fastify (@fastify/session with the Redis store)', () => {
  it('logs in across replicas, honours a logout everywhere, and answers 503 without Redis', async () => {
    const visitor = new Visitor(set.cluster.url, '127.0.0.60');
    const { login, replicas } = await set.logIn(visitor, 'fastify@example.com', { isNewUser: true });
    assert.notEqual(replicas[0], replicas[1]);
    const seen = new Set();
    let page;
    for (let i = 0; i < 4; i += 1) {
      page = await visitor.get('/me');
      assert.equal(page.status, 200, page.body);
      assert.ok(page.body.includes(login.idSubscription));
      seen.add(page.replica);
    }
    assert.equal(seen.size, 2);

    await set.cluster.stopRedis();
    const down = await visitor.get('/me', { deadlineMs: 15_000 });
    assert.equal(down.status, 503);
    assert.match(down.body, /session store/);
    await set.cluster.startRedis();
    const deadline = Date.now() + 30_000;
    while ((await visitor.get('/me')).status !== 200) {
      assert.ok(Date.now() < deadline, 'not back within 30 s');
      await sleep(200);
    }

    const copied = visitor.clone('127.0.0.61');
    // As on Express: the session is put back after the logout, and still refused everywhere.
    const { login: kept } = await logOutKeepingTheSession(set.cluster.redisUrl, visitor, csrfOf(page.body));
    assert.deepEqual(Object.keys(kept).sort(), [...LOGIN_VALUE_KEYS]);
    await assertRefusedEverywhere(copied, 4, 2);
  });
});
