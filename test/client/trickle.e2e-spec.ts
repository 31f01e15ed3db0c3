import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Test } from '@nestjs/testing';
import { LogupModule, LogupService, LogupUnavailableError } from 'nestjs-logup';
import type { INestApplicationContext } from '@nestjs/common';
import { CaptureLogger } from '../support/log-capture.js';

/**
 * A hostile LogUp: tokens and DB reads answer at once, but /verification (and any
 * path with "trickle") sends its headers and then one byte every 200 ms, forever.
 */
function tricklingLogup(): Promise<{ url: string; close: () => Promise<void>; open: () => number }> {
  const trickling = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.endsWith('/oauth/token')) {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'tok_trickle', token_type: 'Bearer', expires_in: 3600 }));
      } else if (req.url?.includes('/verification') || req.url?.includes('trickle')) {
        res.writeHead(201, { 'content-type': 'application/json', 'content-length': '100000' });
        trickling.add(res);
        const timer = setInterval(() => res.write(' '), 200);
        res.on('close', () => {
          clearInterval(timer);
          trickling.delete(res);
        });
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        open: () => trickling.size,
        close: () =>
          new Promise((done) => {
            for (const res of trickling) res.destroy();
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    ),
  );
}

describe('a LogUp that trickles its answer', () => {
  let logup: Awaited<ReturnType<typeof tricklingLogup>>;
  let app: INestApplicationContext;
  let service: LogupService;

  beforeAll(async () => {
    logup = await tricklingLogup();
    const moduleRef = await Test.createTestingModule({
      imports: [
        LogupModule.forRoot({
          idGate: 'gate_trickle',
          secret: 'secret_trickle_value',
          baseUrl: logup.url,
          timeoutMs: 1000,
          maxSockets: 4,
          retry: { retries: 2, minDelayMs: 10, budgetMs: 2500 },
        }),
      ],
    })
      .setLogger(new CaptureLogger())
      .compile();
    app = await moduleRef.init();
    service = app.get(LogupService);
  });
  afterAll(async () => {
    await app?.close();
    await logup?.close();
  });

  const timed = async (call: () => Promise<unknown>) => {
    const started = Date.now();
    const error = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, ms: Date.now() - started };
  };

  it('ends a verification at timeoutMs (one attempt: the token is single-use) and frees its socket', async () => {
    const { error, ms } = await timed(() => service.verify('a'.repeat(64), false));
    expect(error).toBeInstanceOf(LogupUnavailableError);
    expect((error as LogupUnavailableError).reason).toBe('timeout');
    // 1 s deadline; the margin is for a loaded machine, the point is "not forever".
    expect(ms).toBeLessThan(8000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logup.open()).toBe(0);
  });

  it('ends an idempotent call within retry.budgetMs, retries included', async () => {
    const { error, ms } = await timed(() => service.subscription('sub_trickle').getDb());
    expect(error).toBeInstanceOf(LogupUnavailableError);
    expect(ms).toBeLessThan(2500 + 6000);
  });

  it('keeps other calls working while every pooled socket is held by a trickle', async () => {
    const storm = Array.from({ length: 8 }, () => timed(() => service.verify('b'.repeat(64), false)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const read = await timed(() => service.subscription('sub_ok').getDb());
    // {"ok":true} is a DB: the call succeeded once a trickle's deadline freed a socket.
    expect(read.error).toBeUndefined();
    const results = await Promise.all(storm);
    for (const result of results) expect(result.error).toBeInstanceOf(LogupUnavailableError);
  });
});
