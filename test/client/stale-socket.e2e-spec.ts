import { Module } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { LogupEmulator } from 'logup-emulator';
import { LogupModule, LogupService, LogupUnavailableError, type LogupModuleOptions } from 'nestjs-logup';
import { Visitor } from '../support/browserless.js';
import { loginRoutes } from '../support/login-routes.js';
import { GATE, email, emulator, logupContext } from '../support/logup-fixture.js';
import { startNestApp, type RunningApp } from '../support/nest-app.js';
import { useExpressSession } from '../support/sessions.js';
import { IdleClosingProxy } from './idle-closing-proxy.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Registers hooks that start an emulator behind a proxy that closes connections idle for
 * `idleMs` without a word, and a LogupModule reaching LogUp through it; closes all three after.
 */
function withIdleClosingProxy(idleMs: number, options: Partial<LogupModuleOptions> = {}) {
  const ctx = {} as { emu: LogupEmulator; proxy: IdleClosingProxy; app: INestApplicationContext; logup: LogupService };
  beforeAll(async () => {
    ctx.emu = await emulator();
    ctx.proxy = await IdleClosingProxy.start(ctx.emu.port, idleMs);
    Object.assign(ctx, await logupContext(ctx.emu, { baseUrl: ctx.proxy.url, ...options }));
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.proxy?.stop();
    await ctx.emu?.stop();
  });
  return ctx;
}

describe('a pooled connection LogUp closed while idle, without saying so', () => {
  const IDLE_MS = 300;
  // No ordinary retries: only the retry on a fresh connection can save these calls.
  const ctx = withIdleClosingProxy(IDLE_MS, { retry: { retries: 0 }, healthCheckIntervalMs: 0 });

  /** Runs `call` once to pool a connection, waits past the idle close, and runs it again. */
  async function afterIdle<T>(call: () => Promise<T>): Promise<T> {
    await call();
    const dropped = ctx.proxy.dropped;
    await sleep(IDLE_MS + 150);
    const result = await call();
    expect(ctx.proxy.dropped).toBe(dropped + 1); // the stale socket was really used, and failed
    return result;
  }

  const subscription = (db?: Record<string, number>) =>
    ctx.logup.subscription(ctx.emu.login({ idGate: GATE.idGate, email: email('stale'), db }).idSubscription);

  it('a verification is repeated once on a fresh connection and verifies', async () => {
    const before = ctx.emu.stats().verifications;
    const result = await afterIdle(() =>
      ctx.logup.verify(ctx.emu.login({ idGate: GATE.idGate, email: email('stale') }).logupToken, false),
    );
    expect(result.verified).toBe(true);
    expect(ctx.emu.stats().verifications - before).toBe(2); // one per login: nothing verified twice
  });

  it('the access token request (health probe) is repeated once and succeeds', async () => {
    const before = ctx.emu.stats().tokenGrants;
    await expect(afterIdle(() => ctx.logup.checkConnection())).resolves.toMatchObject({ cached: false });
    expect(ctx.emu.stats().tokenGrants - before).toBe(2);
  });

  it('getDb', async () => {
    const sub = subscription({ a: 1 });
    await expect(afterIdle(() => sub.getDb())).resolves.toEqual({ a: 1 });
  });

  it('updateDb', async () => {
    const sub = subscription({ a: 1 });
    let n = 0;
    await expect(afterIdle(() => sub.updateDb({ n: ++n }))).resolves.toEqual({ a: 1, n: 2 });
  });

  it('deleteDbValues', async () => {
    const sub = subscription({ a: 1, b: 2, c: 3 });
    const keys = ['b', 'c'];
    await expect(afterIdle(() => sub.deleteDbValues([keys.shift()!]))).resolves.toEqual({ a: 1 });
  });
});

describe('idle pooled connections', () => {
  const ctx = withIdleClosingProxy(60_000);

  it("are closed by the library after 4 s, below Node's default 5 s keepAliveTimeout (LogUp hints 65 s)", async () => {
    await ctx.logup.checkConnection();
    await sleep(2500);
    expect(ctx.proxy.closedByClient).toBe(0);
    await sleep(3000);
    expect(ctx.proxy.connections).toBe(1);
    expect(ctx.proxy.closedByClient).toBe(1);
  });
});

describe('the second login 1.2 s after the first, when LogUp closed the idle connection at 1 s', () => {
  let emu: LogupEmulator;
  let proxy: IdleClosingProxy;
  let app: RunningApp;
  let base: string;

  beforeAll(async () => {
    emu = await emulator();
    proxy = await IdleClosingProxy.start(emu.port, 1000);
    @Module({
      imports: [LogupModule.forRoot({ ...GATE, baseUrl: proxy.url })],
      controllers: [loginRoutes({ redirectTo: '/me' })],
    })
    class AppModule {}
    app = await startNestApp(AppModule, {
      setup: (nest: NestExpressApplication) => useExpressSession(nest, { name: 'sid' }),
    });
    base = app.url;
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
    await emu?.stop();
  });

  async function login(): Promise<number> {
    const visitor = new Visitor(base);
    expect((await visitor.get('/logup/login', false)).status).toBe(200);
    const { logupToken } = emu.login({ idGate: GATE.idGate, email: email('second-login') });
    return (await visitor.get(`/logup/callback?logupToken=${logupToken}&isNewUser=false`)).status;
  }

  it('answers 303 to both (the guard, default settings)', async () => {
    expect(await login()).toBe(303);
    await sleep(1200);
    expect(await login()).toBe(303);
    expect(proxy.dropped).toBe(1);
  });
});

describe('a call that never got a socket before its deadline', () => {
  let emu: LogupEmulator;
  let ctx: { app: INestApplicationContext; logup: LogupService };

  beforeAll(async () => {
    emu = await emulator();
    // One socket per pool, and a budget the first call's hang uses up.
    ctx = await logupContext(emu, { maxSockets: 1, timeoutMs: 800, retry: { retries: 0, budgetMs: 800 } });
    await ctx.logup.checkConnection();
  });
  afterAll(async () => {
    await ctx?.app.close();
    await emu?.stop();
  });
  afterEach(() => emu.clearFaults());

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    );

  it('is reported as not sent (a DB read waiting behind a hung one)', async () => {
    const sub = ctx.logup.subscription(emu.login({ idGate: GATE.idGate, email: email('queued') }).idSubscription);
    emu.fault({ kind: 'hang', endpoint: 'db-read' });
    const before = emu.stats().apiRequests;
    const [hung, queued] = await Promise.all([failure(sub.getDb(['a'])), failure(sub.getDb(['b']))]);
    expect(hung).toMatchObject({ reason: 'timeout', notSent: false });
    expect(queued).toBeInstanceOf(LogupUnavailableError);
    expect(queued).toMatchObject({ reason: 'timeout', notSent: true, operation: 'getDb' });
    expect((queued as Error).message).toMatch(/nothing was sent/);
    expect(emu.stats().apiRequests - before).toBe(1);
  });

  it('is reported as not sent, and its logupToken stays usable (a verification behind a hung one)', async () => {
    const first = emu.login({ idGate: GATE.idGate, email: email('queued') }).logupToken;
    const second = emu.login({ idGate: GATE.idGate, email: email('queued') }).logupToken;
    emu.fault({ kind: 'hang', endpoint: 'verification' });
    const [, queued] = await Promise.all([
      failure(ctx.logup.verify(first, false)),
      failure(ctx.logup.verify(second, false)),
    ]);
    expect(queued).toMatchObject({ reason: 'timeout', notSent: true, operation: 'verification' });
    expect((await ctx.logup.verify(second, false)).verified).toBe(true);
  });
});
