import type { INestApplication } from '@nestjs/common';
import type { LogupEmulator } from 'logup-emulator';
import { MemorySessionRevocationStore } from 'nestjs-logup';
import { Visitor } from '../support/browserless.js';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE, email, emulator } from '../support/logup-fixture.js';
import { withEmulatorApp } from '../support/nest-app.js';
import { connect, type TestSocket } from './socket-client.js';
import { socketsApp, type Platform, type SocketKind } from './sockets-app.js';

const combos: [Platform, SocketKind][] = [
  ['express', 'socket.io'],
  ['express', 'ws'],
  ['fastify', 'socket.io'],
  ['fastify', 'ws'],
];

/** How a socket closed by the server reports it: socket.io's reason, or the `ws` close code 4401. */
const serverClosed = (kind: SocketKind) => (kind === 'ws' ? '4401' : 'io server disconnect');

/**
 * Registers hooks that start an emulator and two replicas of the sockets app sharing their
 * logout store (as they would share Redis), each with its own sessions, and close them.
 */
function withGatewayApps(platform: Platform, kind: SocketKind) {
  const gw = { lines: [] as string[], sockets: [] as TestSocket[] } as {
    emu: LogupEmulator;
    app: INestApplication;
    replicaB: INestApplication;
    base: string;
    baseB: string;
    lines: string[];
    sockets: TestSocket[];
  };
  const logger = new CaptureLogger((line) => gw.lines.push(line));

  beforeAll(async () => {
    gw.emu = await emulator();
    const sessionRevocation = new MemorySessionRevocationStore();
    ({ app: gw.app, url: gw.base } = await socketsApp(gw.emu, platform, kind, { sessionRevocation }, logger));
    ({ app: gw.replicaB, url: gw.baseB } = await socketsApp(gw.emu, platform, kind, { sessionRevocation }));
  });
  afterAll(async () => {
    for (const socket of gw.sockets) socket.close();
    await gw.app?.close();
    await gw.replicaB?.close();
    await gw.emu?.stop();
  });

  /** A socket to gateway `name` (closed after the block). */
  const open = (name: string, cookie: string, query = '') => {
    const socket = connect(kind, gw.base, name, cookie, query);
    gw.sockets.push(socket);
    return socket;
  };

  /** A visitor logged in over HTTP (as `who`, a fresh visitor by default). */
  async function loggedIn(who = email(), db?: Record<string, string>) {
    const visitor = new Visitor(gw.base);
    await visitor.get('/logup/login', false);
    const login = gw.emu.login({ idGate: GATE.idGate, email: who, db });
    const res = await visitor.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=false`, false);
    expect(res.status).toBe(200);
    return { visitor, login };
  }
  return { gw, open, loggedIn };
}

describe.each(combos)('LogupGuard on gateways: the handshake (%s, %s)', (platform, kind) => {
  const { gw, open, loggedIn } = withGatewayApps(platform, kind);

  it('accepts a logged-in handshake: handlers read the subscription and use the DB', async () => {
    const { visitor, login } = await loggedIn(email(), { plan: 'pro' });
    const socket = open('live', visitor.cookieHeader());
    await socket.opened;
    expect(await socket.send('whoami')).toEqual({ idSubscription: login.idSubscription });
    expect(await socket.send('db', { key: 'seen' })).toEqual({ plan: 'pro', seen: 'from-socket' });
    expect(socket.exceptions).toEqual([]);
  });

  it('refuses an anonymous handshake with an exception and closes it', async () => {
    const visitor = new Visitor(gw.base);
    await visitor.get('/logup/login', false); // a session, but no login
    const socket = open('live', visitor.cookieHeader());
    expect(await socket.closed).toBe(serverClosed(kind));
    expect(socket.exceptions).toEqual([{ status: 'error', message: expect.stringMatching(/Log in first/) }]);
  });

  it('never accepts a logupToken on a socket: not in the handshake URL, not in a message', async () => {
    const login = gw.emu.login({ idGate: GATE.idGate, email: email() });
    gw.emu.resetStats();
    const anonymous = open('live', '', `?logupToken=${login.logupToken}&isNewUser=false`);
    expect(await anonymous.closed).toBe(serverClosed(kind));
    expect(anonymous.exceptions[0].message).toMatch(/never accepted on a socket/);

    const { visitor } = await loggedIn();
    const socket = open('live', visitor.cookieHeader());
    await socket.opened;
    const token = gw.emu.login({ idGate: GATE.idGate, email: email() }).logupToken;
    gw.emu.resetStats();
    const answer = (await socket.send('whoami', { logupToken: token })) as { exception: { message: string } };
    expect(answer.exception.message).toMatch(/never accepted on a socket/);
    expect(JSON.stringify(answer)).not.toContain(token);
    expect(gw.emu.stats().verifications).toBe(0);
    expect(gw.lines.join('\n')).not.toContain(token);
  });
});

/** A sign-out on the other replica (sharing the logout store) ends a socket at its next message. */
function otherReplicaTest({ gw, open, loggedIn }: ReturnType<typeof withGatewayApps>, kind: SocketKind): void {
  it('refuses the next message of a socket signed out on another replica, then closes it', async () => {
    const { visitor, login } = await loggedIn();
    const socket = open('live', visitor.cookieHeader());
    await socket.opened;
    await socket.send('whoami');
    const res = await new Visitor(gw.baseB).request('POST', `/operator/sign-out/${login.idSubscription}`, {
      html: false,
    });
    expect(res.status).toBe(200);
    const answer = (await socket.send('whoami')) as { exception: { message: string } };
    expect(answer.exception.message).toMatch(/login of this socket ended/);
    expect(await socket.closed).toBe(serverClosed(kind));
  });
}

describe.each(combos)('LogupGuard on gateways: logout and sign-out everywhere (%s, %s)', (platform, kind) => {
  const gateways = withGatewayApps(platform, kind);
  const { open, loggedIn } = gateways;

  it('closes the open sockets of a login when the visitor logs out', async () => {
    const { visitor } = await loggedIn();
    const socket = open('live', visitor.cookieHeader());
    await socket.opened;
    await socket.send('whoami');
    const res = await visitor.request('POST', '/logout', { html: false });
    expect(JSON.parse(res.body)).toEqual({ ended: true });
    expect(await socket.closed).toBe(serverClosed(kind));
    expect(socket.exceptions.at(-1)?.message).toMatch(/login of this socket ended/);
  });

  it('signs a subscription out everywhere: every device, its sockets; a new login works', async () => {
    const who = email();
    const phone = await loggedIn(who);
    const laptop = await loggedIn(who);
    expect(laptop.login.idSubscription).toBe(phone.login.idSubscription);
    const phoneSocket = open('live', phone.visitor.cookieHeader());
    const laptopSocket = open('live', laptop.visitor.cookieHeader());
    await Promise.all([phoneSocket.opened, laptopSocket.opened]);

    const res = await laptop.visitor.request('POST', '/logout-everywhere', { html: false });
    expect(res.status).toBe(200);
    expect(await phoneSocket.closed).toBe(serverClosed(kind));
    expect(await laptopSocket.closed).toBe(serverClosed(kind));
    expect((await phone.visitor.get('/me', false)).status).toBe(401);
    expect((await laptop.visitor.get('/me', false)).status).toBe(401);

    const again = await loggedIn(who);
    expect((await again.visitor.get('/me', false)).status).toBe(200);
    const socket = open('live', again.visitor.cookieHeader());
    await socket.opened;
    expect(await socket.send('whoami')).toEqual({ idSubscription: again.login.idSubscription });
  });

  otherReplicaTest(gateways, kind);
});

describe.each(combos)('LogupGuard on gateways: @LogupOptional() (%s, %s)', (platform, kind) => {
  const { open, loggedIn } = withGatewayApps(platform, kind);

  it('serves everyone on a @LogupOptional() gateway, and knows the visitor when logged in', async () => {
    const anonymous = open('public', '');
    await anonymous.opened;
    expect(await anonymous.send('hello')).toEqual({ idSubscription: null });
    const { visitor, login } = await loggedIn();
    const known = open('public', visitor.cookieHeader());
    await known.opened;
    expect(await known.send('hello')).toEqual({ idSubscription: login.idSubscription });
    expect(anonymous.exceptions).toEqual([]);
  });
});

describe.each(['express', 'fastify'] as Platform[])('@LogupOptional() on an HTTP route (%s)', (platform) => {
  const ctx = withEmulatorApp((emu) => socketsApp(emu, platform, 'ws'));

  it('answers anonymous visitors, knows a logged-in one, still refuses a logupToken (400)', async () => {
    const visitor = new Visitor(ctx.url);
    const anonymous = await visitor.get('/maybe', false);
    expect(anonymous.status).toBe(200);
    expect(JSON.parse(anonymous.body)).toEqual({ idSubscription: null });

    await visitor.get('/logup/login', false);
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email() });
    expect((await visitor.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=false`, false)).status).toBe(
      200,
    );
    expect(JSON.parse((await visitor.get('/maybe', false)).body)).toEqual({ idSubscription: login.idSubscription });

    const token = ctx.emu.login({ idGate: GATE.idGate, email: email() }).logupToken;
    ctx.emu.resetStats();
    const refused = await new Visitor(ctx.url).get(`/maybe?logupToken=${token}&isNewUser=false`, false);
    expect(refused.status).toBe(400);
    expect(ctx.emu.stats().verifications).toBe(0);
  });
});
