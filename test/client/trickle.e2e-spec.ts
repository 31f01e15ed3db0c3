import type { IncomingMessage, ServerResponse } from 'node:http';
import { Test } from '@nestjs/testing';
import { LogupModule, LogupService, LogupUnavailableError, type LogupModuleOptions } from 'nestjs-logup';
import type { INestApplicationContext } from '@nestjs/common';
import { CaptureLogger } from '../support/log-capture.js';
import { forwardProxy, scriptedLogup, type ScriptedLogup } from '../support/scripted-logup.js';

/**
 * A hostile LogUp: /verification (and any path with "trickle") sends its headers and
 * then one byte every 200 ms, forever, so an inactivity timeout never fires; other
 * paths answer a DB at once.
 */
function trickle(_req: IncomingMessage, res: ServerResponse): void {
  if (!(_req.url?.includes('/verification') || _req.url?.includes('trickle'))) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
    return;
  }
  res.writeHead(201, { 'content-type': 'application/json', 'content-length': '100000' });
  const timer = setInterval(() => res.write(' '), 200);
  res.on('close', () => clearInterval(timer));
}

/** Resolves once `condition` holds; fails after `ms` (a bound, not a wait). */
async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const timed = async (call: () => Promise<unknown>) => {
  const started = Date.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: Date.now() - started };
};

// One trickling LogUp and one forward proxy for every test; each test builds its own client.
let logup: ScriptedLogup;
let proxy: Awaited<ReturnType<typeof forwardProxy>>;
const apps: INestApplicationContext[] = [];

async function service(options: Partial<LogupModuleOptions>): Promise<LogupService> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      LogupModule.forRoot({ idGate: 'gate_trickle', secret: 'secret_trickle_value', baseUrl: logup.url, ...options }),
    ],
  })
    .setLogger(new CaptureLogger())
    .compile();
  const app = await moduleRef.init();
  apps.push(app);
  return app.get(LogupService);
}

beforeAll(async () => {
  logup = await scriptedLogup(trickle);
  proxy = await forwardProxy();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await proxy?.close();
  await logup?.close();
});

describe('a LogUp that trickles its answer: wall-clock deadlines', () => {
  it('ends a verification at timeoutMs (one attempt: the token is single-use) and frees its socket', async () => {
    const logupService = await service({ timeoutMs: 1000, retry: { retries: 2, minDelayMs: 10, budgetMs: 5000 } });
    const { error, ms } = await timed(() => logupService.verify('a'.repeat(64), false));
    expect(error).toBeInstanceOf(LogupUnavailableError);
    expect((error as LogupUnavailableError).reason).toBe('timeout');
    // One deadline of 1 s: not before it, and well short of a second attempt.
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(ms).toBeLessThan(1800);
    await until(() => logup.open() === 0, 2000, 'the trickling socket is closed');
  });

  it("caps each attempt's deadline at what is left of retry.budgetMs", async () => {
    // timeoutMs alone would let the first attempt run 10 s; the budget says 1.2 s in all.
    const logupService = await service({ timeoutMs: 10_000, retry: { retries: 2, minDelayMs: 10, budgetMs: 1200 } });
    const { error, ms } = await timed(() => logupService.subscription('sub_trickle').getDb());
    expect(error).toBeInstanceOf(LogupUnavailableError);
    expect(ms).toBeGreaterThanOrEqual(1190);
    expect(ms).toBeLessThan(2200);
  });

  it('keeps the wall-clock deadline through a proxy (axios adapter: its timeout alone is inactivity)', async () => {
    const { hostname, port } = new URL(proxy.url);
    const logupService = await service({
      timeoutMs: 800,
      httpModuleOptions: { proxy: { protocol: 'http', host: hostname, port: Number(port) } },
    });
    const relayed = proxy.relayed();
    const { error, ms } = await timed(() => logupService.verify('c'.repeat(64), false));
    expect(proxy.relayed()).toBeGreaterThan(relayed);
    expect(error).toBeInstanceOf(LogupUnavailableError);
    expect((error as LogupUnavailableError).reason).toBe('timeout');
    expect(ms).toBeGreaterThanOrEqual(790);
    expect(ms).toBeLessThan(1600);
  });
});

describe('a LogUp that trickles its answer: the pool', () => {
  it('keeps other calls working while every pooled socket is held by a trickle', async () => {
    const logupService = await service({ timeoutMs: 1000, maxSockets: 4, retry: { retries: 0 } });
    await logupService.checkConnection();
    const open = logup.open();
    const storm = Array.from({ length: 8 }, () => timed(() => logupService.verify('b'.repeat(64), false)));
    // All four pooled sockets are held by trickles before the read is asked for.
    await until(() => logup.open() === open + 4, 5000, 'four trickles hold the pool');
    const read = await timed(() => logupService.subscription('sub_ok').getDb());
    // {"ok":true} is a DB: the call succeeded once a trickle's deadline freed a socket.
    expect(read.error).toBeUndefined();
    const results = await Promise.all(storm);
    for (const result of results) expect(result.error).toBeInstanceOf(LogupUnavailableError);
  });
});
