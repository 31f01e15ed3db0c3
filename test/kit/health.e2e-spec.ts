import { Module } from '@nestjs/common';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { LogupEmulator } from 'logup-emulator';
import { LogupModule, LogupService, type LogupModuleOptions } from 'nestjs-logup';
import { HealthModule } from '../../examples/health/health.module.js';
import { GATE, withEmulator } from '../support/logup-fixture.js';
import { startNestApp, type RunningApp } from '../support/nest-app.js';

/** The README's health module in an app; `url` is its GET /health. */
async function healthApp(
  emu: LogupEmulator | { url: string },
  secret: string,
  healthCheckIntervalMs = 0,
  options: Partial<LogupModuleOptions> = { retry: { retries: 0 } },
): Promise<RunningApp> {
  // The README's HealthModule, with LogupModule global as in the quick start.
  @Module({
    imports: [
      LogupModule.forRoot({ ...GATE, secret, baseUrl: emu.url, healthCheckIntervalMs, isGlobal: true, ...options }),
      HealthModule,
    ],
  })
  class AppModule {}
  const running = await startNestApp(AppModule);
  return { ...running, url: `${running.url}/health` };
}

/** A LogUp that accepts connections and reads requests, but never answers. */
async function silentServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** GET /health: its status, body and how long it took. */
async function probe(url: string): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const started = Date.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, ms: Date.now() - started };
}

const ctx = withEmulator();

describe('LogupHealthIndicator: up and down', () => {
  it('is up when LogUp answers and accepts the credentials', async () => {
    const { app, url } = await healthApp(ctx.emu, GATE.secret);
    try {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'ok',
        info: { logup: { status: 'up', latencyMs: expect.any(Number) } },
      });
      ctx.emu.fault({ kind: 'status', status: 503, endpoint: 'token' });
      const down = await fetch(url);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ error: { logup: { status: 'down', code: 'LOGUP_UNAVAILABLE' } } });
    } finally {
      await app.close();
    }
  });

  it('is down, naming the problem but not the secret, when the credentials are refused', async () => {
    const { app, url } = await healthApp(ctx.emu, 'secret_wrong_value_123');
    try {
      const res = await fetch(url);
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ error: { logup: { status: 'down', code: 'LOGUP_CREDENTIALS' } } });
      expect(text).toContain('INVALID_CLIENT');
      expect(text).not.toContain('secret_wrong_value_123');
    } finally {
      await app.close();
    }
  });
});

describe('LogupHealthIndicator: one probe per interval', () => {
  it('reaches LogUp at most once per interval, reusing the token it fetched, and reports the last result between', async () => {
    const { app, url } = await healthApp(ctx.emu, GATE.secret, 60_000);
    try {
      const before = ctx.emu.stats().tokenGrants;
      const first = await fetch(url);
      expect(first.status).toBe(200);
      expect(await first.json()).toMatchObject({ info: { logup: { status: 'up', cached: false } } });
      ctx.emu.fault({ kind: 'status', status: 503, endpoint: 'token' });
      for (let i = 0; i < 20; i++) {
        const res = await fetch(url);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ info: { logup: { status: 'up', cached: true } } });
      }
      expect(ctx.emu.stats().tokenGrants - before).toBe(1);
      // The probe's token serves ordinary calls: a verification needs no second grant.
      const login = ctx.emu.login({ idGate: GATE.idGate, email: 'health@example.com' });
      const logup = app.get(LogupService);
      expect((await logup.verify(login.logupToken, false)).verified).toBe(true);
      expect(ctx.emu.stats().tokenGrants - before).toBe(1);
    } finally {
      await app.close();
    }
  });
});

// The default retry policy: the probe must not spend it (3 attempts and backoff: 3.3 s).
const TIMEOUT_MS = 1000;
/** About one timeoutMs, with room for a busy machine; the retries took 3.3 s. */
const WITHIN_MS = 2 * TIMEOUT_MS;
const down = { error: { logup: { status: 'down', code: 'LOGUP_UNAVAILABLE' } } };

describe('LogupHealthIndicator on a LogUp that accepts connections but never answers', () => {
  it('is down within about one timeoutMs, saying LogUp did not answer in time (emulator hang)', async () => {
    const { app, url } = await healthApp(ctx.emu, GATE.secret, 0, { timeoutMs: TIMEOUT_MS });
    try {
      ctx.emu.fault({ kind: 'hang', endpoint: 'token', count: 10 });
      const { status, body, ms } = await probe(url);
      expect(status).toBe(503);
      expect(body).toMatchObject(down);
      // The probe's deadline is one timeoutMs from its start: the attempt gets what is left of it.
      const within = Number(/no complete answer within (\d+) ms/.exec(JSON.stringify(body))?.[1]);
      expect(within).toBeLessThanOrEqual(TIMEOUT_MS);
      expect(within).toBeGreaterThan(TIMEOUT_MS / 2);
      expect(ms).toBeLessThan(WITHIN_MS);
    } finally {
      await app.close();
    }
  });

  it('is down within about one timeoutMs with the default timeoutMs too (raw server), not after the retries', async () => {
    const silent = await silentServer();
    const { app, url } = await healthApp(silent, GATE.secret, 0, {});
    try {
      const { status, body, ms } = await probe(url);
      expect(status).toBe(503);
      expect(body).toMatchObject(down);
      expect(ms).toBeLessThan(5000 + 1500); // timeoutMs defaults to 5 s; the retries made it 15 s
    } finally {
      await app.close();
      await silent.stop();
    }
  }, 30_000);

  it('does not wait for an ordinary token request that is hanging within its longer budget', async () => {
    const { app, url } = await healthApp(ctx.emu, GATE.secret, 0, { timeoutMs: TIMEOUT_MS });
    try {
      ctx.emu.fault({ kind: 'hang', endpoint: 'token', count: 10 });
      const sub = app
        .get(LogupService)
        .subscription(ctx.emu.login({ idGate: GATE.idGate, email: 'h@example.com' }).idSubscription);
      const ordinary = sub.getDb().catch((error: unknown) => error);
      const { status, ms } = await probe(url);
      expect(status).toBe(503);
      expect(ms).toBeLessThan(WITHIN_MS);
      ctx.emu.clearFaults();
      await ordinary; // retried within its own budget: ends by itself
    } finally {
      await app.close();
    }
  }, 30_000);
});
