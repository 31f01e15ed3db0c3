// The cluster (see sessions.test.mjs), two replicas reached directly and through
// nginx: signing a subscription out everywhere, and the live socket nginx passes on.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import WebSocket from 'ws';
import { csrfOf, useCluster } from './support.mjs';
import { Visitor } from './visitor.mjs';

const set = useCluster({ replicas: 2 });

it("refuses the account page's live socket without a login, through nginx", async () => {
  // nginx passes the account page's live socket (a WebSocket upgrade) to a replica,
  // whose gateway refuses a socket without a login: an exception, then close code 4401.
  const anonymous = new WebSocket(`${set.cluster.url.replace(/^http/, 'ws')}/live`);
  const refused = await new Promise((resolve, reject) => {
    const messages = [];
    anonymous.on('message', (raw) => messages.push(JSON.parse(raw.toString('utf8'))));
    anonymous.on('close', (code) => resolve({ code, messages }));
    anonymous.on('error', reject);
  });
  assert.equal(refused.code, 4401);
  assert.equal(refused.messages[0]?.event, 'exception');
});

it('signs a subscription out everywhere: a login on replica A ends by a sign-out on replica B', async () => {
  const [a, b] = set.cluster.replicas;
  // A login through the visitor's replica (its own URL): POST /login (no CSRF token:
  // startLogin refuses other sites), then the callback.
  const logInOn = async (visitor, email) => (await set.logIn(visitor, email, { home: false })).login;
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
