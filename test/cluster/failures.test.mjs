// The cluster (see sessions.test.mjs) when something fails: Redis stopped or frozen,
// a replica killed under load, a replica killed with logins in flight. The tests run
// in order on one cluster: each kill leaves its replica dead for the next.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RATE_LIMIT, callbackPath, sleep, useCluster } from './support.mjs';
import { Visitor } from './visitor.mjs';

const set = useCluster({ replicas: 3, callbackRateLimit: RATE_LIMIT });

/** Three rounds of /me as a page and as JSON: each a quick 503 naming the session store, from every replica. */
async function assert503(visitor, what) {
  const seen = new Set();
  for (let i = 0; i < 3; i += 1) {
    const page = await visitor.get('/me', { deadlineMs: 15_000 });
    assert.equal(page.status, 503, `${what}: ${page.status} ${page.body.slice(0, 300)}`);
    // "within about a second": Redis commands have a 1 s deadline, and no offline queue.
    assert.ok(page.ms < 2_000, `${what}: the 503 took ${page.ms} ms`);
    assert.match(page.body, /session store/);
    assert.match(page.headers['content-type'], /text\/html/);
    assert.equal(page.headers['retry-after'], '5');
    seen.add(page.replica);
    const api = await visitor.get('/me', { json: true, deadlineMs: 15_000 });
    assert.equal(api.status, 503);
    assert.equal(JSON.parse(api.body).statusCode, 503);
  }
  assert.equal(seen.size, 3, `${what}: 503 from ${[...seen]}`);
}

/** /me answers 200 again within 30 s, with the session it had. */
async function assertRecovered(visitor, login, what) {
  const deadline = Date.now() + 30_000;
  let last;
  while (Date.now() < deadline) {
    last = await visitor.get('/me', { deadlineMs: 15_000 }).catch((e) => ({ status: String(e) }));
    if (last.status === 200) break;
    await sleep(200);
  }
  assert.equal(last.status, 200, `${what}: not back within 30 s (${last.status})`);
  for (let i = 0; i < 3; i += 1) {
    const me = await visitor.get('/me');
    assert.equal(me.status, 200, `${what}: ${me.status}`);
    assert.ok(me.body.includes(login.idSubscription), 'the session survived');
  }
}

describe('Redis down or frozen', () => {
  it('answers a clear 503 while Redis is down or frozen, and recovers by itself', async () => {
    const alice = new Visitor(set.cluster.url, '127.0.0.11');
    const { login } = await set.logIn(alice, 'alice@example.com', { db: { plan: 'free' } });
    await set.cluster.stopRedis();
    await assert503(alice, 'Redis stopped');
    await set.cluster.startRedis();
    await assertRecovered(alice, login, 'Redis restarted');

    // Frozen: connected but silent. Commands time out (1 s) instead of hanging.
    set.cluster.pauseRedis(true);
    try {
      await assert503(alice, 'Redis frozen');
    } finally {
      set.cluster.pauseRedis(false);
    }
    await assertRecovered(alice, login, 'Redis thawed');
  });
});

/** Six visitors logged in, each reading /me in a loop for `runFor` ms; answers the results as they come. */
function loadFor(visitors, runFor) {
  const results = [];
  const started = Date.now();
  const done = visitors.map(async ({ visitor, login }) => {
    while (Date.now() - started < runFor) {
      const at = Date.now();
      const res = await visitor.get('/me').catch((e) => ({ status: `error ${e.message}` }));
      const own = res.status === 200 && res.body.includes(login.idSubscription);
      results.push({ at, status: res.status, replica: res.replica, own });
    }
  });
  return { results, done: Promise.all(done) };
}

describe('a replica killed', () => {
  it('loses no session and answers no 5xx when a replica is killed under load', async () => {
    const visitors = [];
    for (let i = 0; i < 6; i += 1) {
      const visitor = new Visitor(set.cluster.url, `127.0.0.${21 + i}`);
      const { login } = await set.logIn(visitor, `load${i}@example.com`);
      visitors.push({ visitor, login });
    }
    const { results, done } = loadFor(visitors, 8_000);
    await sleep(2_500);
    const killedAt = Date.now();
    await set.cluster.replicas[2].stop('SIGKILL');
    const diedAt = Date.now();
    await done;

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
});

/** How many logins are in flight when a replica dies. */
const count = 6;

/** `count` visitors whose login has started, each with a minted login at LogUp. */
async function startedLogins() {
  // Let nginx see r3 dead again (location / retries elsewhere), so callbacks go to r1 and r2.
  for (let i = 0; i < 4; i += 1) await new Visitor(set.cluster.url, '127.0.0.40').get('/');
  const visitors = [];
  for (let i = 0; i < count; i += 1) {
    const visitor = new Visitor(set.cluster.url, `127.0.0.${41 + i}`);
    await set.startLogin(visitor);
    visitors.push({ visitor, login: await set.mint(`inflight${i}@example.com`) });
  }
  return visitors;
}

/** Sends every callback while LogUp holds verifications, kills r2, releases them; answers the answers and the stats. */
async function callbacksAcrossTheKill(visitors) {
  // LogUp holds every verification until told: the callbacks are in flight when r2 dies.
  await set.control('POST', 'faults', { kind: 'hold', endpoint: 'verification', count });
  const answers = [];
  const callbacks = visitors.map(({ visitor, login }, i) =>
    visitor
      .get(callbackPath(login.logupToken), { deadlineMs: 30_000 })
      .catch((e) => ({ status: String(e) }))
      .then((answer) => (answers[i] = answer)),
  );
  // Every callback is either held at LogUp or already answered (nginx found no replica).
  for (const bound = Date.now() + 20_000; ; await sleep(20)) {
    const { held } = await set.stats();
    if (held + answers.filter(Boolean).length === count) break;
    assert.ok(Date.now() < bound, `callbacks not in flight: ${held} held`);
  }
  await set.cluster.replicas[1].stop('SIGKILL');
  await set.control('POST', 'faults/release', {});
  await Promise.all(callbacks);
  assert.equal((await set.stats()).held, 0);
  await sleep(500); // what r2 had sent before dying reaches the emulator's handler, if at all
  const stats = await set.stats();
  await set.control('DELETE', 'faults');
  return { answers, stats };
}

/** Which replica each callback went to (nginx's access log): those on a killed replica got 502, the others 303. */
function assertRouting(nginxLog, statuses) {
  // r3 died in the test before: a callback nginx still tried there is interrupted too.
  const deadPorts = [set.cluster.replicas[1].port, set.cluster.replicas[2].port].map((port) => `:${port}`);
  for (let i = 0; i < count; i += 1) {
    const line = nginxLog.split('\n').find((l) => l.startsWith(`127.0.0.${41 + i} `) && l.includes('/logup/callback'));
    assert.ok(line, `no nginx log line for callback ${i}`);
    const upstream = /upstream=(\S+)/.exec(line)[1];
    const onKilled = deadPorts.some((port) => upstream.endsWith(port));
    assert.equal(statuses[i], onKilled ? 502 : 303, `callback ${i} on ${upstream}: ${statuses[i]}`);
  }
  // nginx sent each callback to one replica only (its log lists every replica it
  // tried), so no token reached LogUp twice: at most one verification per callback.
  const callbackLines = nginxLog.split('\n').filter((line) => line.includes('/logup/callback'));
  assert.ok(callbackLines.length > 0);
  assert.deepEqual(
    callbackLines.filter((line) => /upstream=\S+, /.test(line)),
    [],
    'a callback was retried on another replica',
  );
  const retriedReads = nginxLog.split('\n').filter((line) => /"GET \/me" 200 upstream=\S+, /.test(line)).length;
  process.stdout.write(`# nginx retried ${retriedReads} GET /me elsewhere when replicas died\n`);
}

describe('a replica killed with logins in flight', () => {
  it('fails logins in flight on a killed replica cleanly, never verifying a token twice', async () => {
    const visitors = await startedLogins();
    const before = await set.stats();
    const { answers, stats } = await callbacksAcrossTheKill(visitors);
    const statuses = answers.map((a) => a.status);
    process.stdout.write(`# callbacks in flight at the kill: ${JSON.stringify(statuses)}\n`);
    assert.ok(
      statuses.every((s) => s === 303 || s === 502),
      JSON.stringify(statuses),
    );
    for (const answer of answers.filter((a) => a.status === 502)) assert.match(answer.body, /Login interrupted/);
    assertRouting(await readFile(join(set.cluster.dir, 'nginx', 'access.log'), 'utf8'), statuses);
    assert.ok(statuses.includes(502), `no callback was in flight on r2: ${JSON.stringify(statuses)}`);
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
    const stats = await set.stats();
    process.stdout.write(`# emulator: ${stats.tokenGrants} token grants, ${stats.verifications} verifications\n`);
    assert.ok(stats.tokenGrants >= 1 && stats.tokenGrants <= set.cluster.replicas.length, JSON.stringify(stats));
  });
});
