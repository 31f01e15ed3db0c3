import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import type { LogupEmulator } from 'logup-emulator';
import { LogupUnavailableError, type LogupService } from 'nestjs-logup';
import { GATE, email, emulator, logupContext } from '../support/logup-fixture.js';
import { viaProxy, withOwnClient } from '../../examples/http-settings/logup-http.options.js';

/** A forward HTTP proxy on loopback that relays absolute-URI requests and counts them. */
function forwardProxy(): Promise<{
  port: number;
  relayed: { url: string; headers: IncomingHttpHeaders }[];
  close: () => Promise<void>;
}> {
  const relayed: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((req, res) => {
    relayed.push({ url: req.url ?? '', headers: req.headers });
    const upstream = request(req.url ?? '', { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        relayed,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    ),
  );
}

let emu: LogupEmulator;
let proxy: Awaited<ReturnType<typeof forwardProxy>>;
const contexts: INestApplicationContext[] = [];
beforeAll(async () => {
  emu = await emulator();
  proxy = await forwardProxy();
});
afterAll(async () => {
  for (const app of contexts) await app.close();
  await proxy?.close();
  await emu?.stop();
});
/** A LogupService with these options, closed after all the tests. */
const context = async (options: Parameters<typeof logupContext>[1]): Promise<LogupService> => {
  const ctx = await logupContext(emu, options);
  contexts.push(ctx.app);
  return ctx.logup;
};
const proxyUrl = () => `http://127.0.0.1:${proxy.port}`;

describe('HTTP settings: a corporate forward proxy', () => {
  it('sends every call through httpModuleOptions.proxy', async () => {
    const logup = await context(viaProxy(proxyUrl()));
    const before = proxy.relayed.length;
    const login = emu.login({ idGate: GATE.idGate, email: email('proxy'), db: { a: 1 } });
    const result = await logup.verify(login.logupToken, false);
    expect(result.verified).toBe(true);
    if (!result.verified) return;
    expect(await result.subscription.getDb()).toEqual({ a: 1 });
    const urls = proxy.relayed.slice(before).map((r) => r.url);
    expect(urls).toEqual([
      `${emu.url}/v1_1/oauth/token`,
      `${emu.url}/v1_1/verification`,
      `${emu.url}/v1_1/subscription/${login.idSubscription}/db`,
    ]);
  });

  it('keeps the deadline through the proxy: a hanging LogUp ends at timeoutMs', async () => {
    const logup = await context({ ...viaProxy(proxyUrl()), timeoutMs: 500 });
    await logup.checkConnection();
    emu.fault({ kind: 'hang', endpoint: 'verification' });
    const started = Date.now();
    const error = await logup.verify('a'.repeat(64), false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogupUnavailableError);
    expect((error as LogupUnavailableError).reason).toBe('timeout');
    // One deadline of 500 ms (a trickle through the proxy: test/client/trickle.e2e-spec.ts).
    expect(Date.now() - started).toBeGreaterThanOrEqual(490);
    expect(Date.now() - started).toBeLessThan(1300);
    expect(JSON.stringify(error)).not.toContain(GATE.secret);
    emu.clearFaults();
  });

  it("uses the app's own HttpService, with its interceptors and defaults", async () => {
    const options = withOwnClient(proxyUrl());
    let intercepted = 0;
    options.httpService!.axiosRef.interceptors.request.use((config) => {
      intercepted++;
      return config;
    });
    const logup = await context(options);
    const before = proxy.relayed.length;
    const login = emu.login({ idGate: GATE.idGate, email: email('proxy') });
    expect((await logup.verify(login.logupToken, true)).verified).toBe(true);
    expect(intercepted).toBe(2);
    expect(proxy.relayed.slice(before).map((r) => r.headers['x-team'])).toEqual(['checkout', 'checkout']);
  });
});
