import { HttpService } from '@nestjs/axios';
import type { INestApplicationContext } from '@nestjs/common';
import axios from 'axios';
import { LogupApiError, LogupService, LogupUnavailableError, type LogupModuleOptions } from 'nestjs-logup';
import { logupContext } from '../support/logup-fixture.js';
import { forwardProxy, scriptedLogup, type ScriptedLogup } from '../support/scripted-logup.js';

/** The README's cap on an answer from LogUp: 1 MB (1,048,576 bytes), body only. */
const CAP = 1024 * 1024;

/**
 * `/subscription/sub_<bytes>_<declared|chunked>/db` answers a valid JSON DB padded with
 * spaces to exactly `bytes`, with or without a Content-Length; `sub_redirect` and
 * `/verification` answer a redirect to `sub_target`, which would answer a DB.
 */
function answer(logup: () => ScriptedLogup) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const url = req.url ?? '';
    const sized = /sub_(\d+)_(declared|chunked)\/db/.exec(url);
    if (sized) {
      const body = '{"a":1}'.padEnd(Number(sized[1]), ' ');
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (sized[2] === 'declared') headers['content-length'] = String(Buffer.byteLength(body));
      res.writeHead(200, headers);
      // In pieces, as a real answer of this size arrives.
      for (let at = 0; at < body.length; at += 64 * 1024) res.write(body.slice(at, at + 64 * 1024));
      res.end();
    } else if (url.includes('sub_redirect') || url.endsWith('/verification')) {
      res.writeHead(url.endsWith('/verification') ? 307 : 302, {
        location: `${logup().url}/v1_1/subscription/sub_target/db`,
        'content-type': 'application/json',
      });
      res.end('{}');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"followed":true}');
    }
  };
}

/** The three ways a call reaches LogUp: the lean adapter, axios's pipeline (an interceptor), axios's own adapter (a proxy). */
const PATHS: [string, (proxyUrl: string) => Partial<LogupModuleOptions>][] = [
  ['the direct adapter', () => ({})],
  [
    "axios's pipeline (an interceptor registered)",
    () => {
      const instance = axios.create();
      instance.interceptors.request.use((config) => config);
      return { httpService: new HttpService(instance) };
    },
  ],
  [
    "axios's own adapter (through a forward proxy)",
    (proxyUrl) => {
      const { hostname, port } = new URL(proxyUrl);
      return { httpModuleOptions: { proxy: { protocol: 'http', host: hostname, port: Number(port) } } };
    },
  ],
];

/** Registers hooks that start a scripted LogUp, a forward proxy and a LogupModule reaching it by `options`. */
function withLimitsLogup(options: (proxyUrl: string) => Partial<LogupModuleOptions>) {
  const ctx = {} as {
    logup: ScriptedLogup;
    proxy: Awaited<ReturnType<typeof forwardProxy>>;
    app: INestApplicationContext;
    service: LogupService;
  };
  beforeAll(async () => {
    ctx.logup = await scriptedLogup(answer(() => ctx.logup));
    ctx.proxy = await forwardProxy();
    ({ app: ctx.app, logup: ctx.service } = await logupContext(ctx.logup, {
      idGate: 'gate_limits',
      secret: 'secret_limits_value',
      retry: { retries: 0 },
      ...options(ctx.proxy.url),
    }));
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.proxy?.close();
    await ctx.logup?.close();
  });
  return ctx;
}

describe.each(PATHS)('answers from LogUp through %s', (_path, options) => {
  const ctx = withLimitsLogup(options);

  it.each(['declared', 'chunked'])('accepts an answer of exactly 1 MB (%s length)', async (how) => {
    await expect(ctx.service.subscription(`sub_${CAP}_${how}`).getDb()).resolves.toEqual({ a: 1 });
  });

  it.each(['declared', 'chunked'])('refuses an answer of 1 MB + 1 byte (%s length)', async (how) => {
    const error = await ctx.service
      .subscription(`sub_${CAP + 1}_${how}`)
      .getDb()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogupUnavailableError);
    expect((error as LogupUnavailableError).reason).toBe('malformed_response');
  });

  it('does not follow a redirect: the 302 is the answer, its target is never asked', async () => {
    const error = await ctx.service
      .subscription('sub_redirect')
      .getDb()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogupApiError);
    expect((error as LogupApiError).status).toBe(302);
    expect(ctx.logup.hits.filter((hit) => hit.includes('sub_target'))).toEqual([]);
  });

  it('does not follow a 307 from /verification (it would send the logupToken on)', async () => {
    const error = await ctx.service.verify('t'.repeat(64), true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogupApiError);
    expect((error as LogupApiError).status).toBe(307);
    expect(ctx.logup.hits.filter((hit) => hit.includes('sub_target'))).toEqual([]);
  });
});
