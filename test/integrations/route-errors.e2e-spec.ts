// A library error thrown in the app's own route or resolver answers what it means —
// 400 with the library's message for bad input (and LogUp's own 400), 503 / 504 / 502
// when LogUp cannot answer — on Express, Fastify and GraphQL, with nothing added by
// the app; `mapErrors: false` leaves it to the app (Nest's 500).
import type { INestApplication } from '@nestjs/common';
import type { LogupEmulator } from 'logup-emulator';
import { GATE, email, emulator } from '../support/logup-fixture.js';
import { routeErrorsApp, type Platform } from './route-errors-app.js';

const BAD_INPUT: [string, unknown, RegExp][] = [
  ['a null value', { a: null }, /"a" must be .*not null/],
  ['a nested value', { a: { b: 1 } }, /"a" must be .*not object/],
  ['21 keys', Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])), /20/],
  ['a 33-character key', { ['k'.repeat(33)]: 1 }, /32/],
  ['a 1,025-character value', { a: 'v'.repeat(1025) }, /1024/],
];
type Answer = { status: number; body: Record<string, unknown>; retryAfter: string | null };

type Ctx = { platform: Platform; emu: LogupEmulator; base: string };

/** Verifies a fresh login and sends `data` to updateDb() through the app. */
async function updateDb({ platform, emu, base }: Ctx, data: unknown): Promise<Answer> {
  const { logupToken } = emu.login({ idGate: GATE.idGate, email: email('route') });
  const graphql = platform === 'graphql';
  const res = await fetch(`${base}/${graphql ? 'graphql' : 'db'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(
      graphql
        ? {
            query: 'mutation($t: String!, $d: String!) { updateDb(logupToken: $t, data: $d) }',
            variables: { t: logupToken, d: JSON.stringify(data) },
          }
        : { logupToken, data },
    ),
    signal: AbortSignal.timeout(30_000),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    retryAfter: res.headers.get('retry-after'),
  };
}

/** What the client sees: the status (GraphQL: extensions.status) and the message. */
function outcome({ platform }: Ctx, answer: Answer): { status: number; code?: string; message: string } {
  if (platform !== 'graphql') {
    return { status: answer.status, message: ([] as unknown[]).concat(answer.body.message).join('; ') };
  }
  expect(answer.status).toBe(200);
  expect(answer.body.data).toBeNull();
  const [error] = answer.body.errors as { message: string; extensions: { code: string; status: number } }[];
  return { status: error.extensions.status, code: error.extensions.code, message: error.message };
}

/** Bad input, refused by the library before LogUp sees it, or by LogUp itself. */
function badInputTests(ctx: Ctx): void {
  it.each(BAD_INPUT)(
    'answers 400 with the library’s message for %s, sending nothing to LogUp',
    async (_, data, says) => {
      const before = ctx.emu.stats();
      const result = outcome(ctx, await updateDb(ctx, data));
      expect(result).toMatchObject({ status: 400, message: expect.stringMatching(says) });
      if (ctx.platform === 'graphql') expect(result.code).toBe('BAD_USER_INPUT');
      const after = ctx.emu.stats();
      const sent = after.apiRequests - before.apiRequests;
      expect(sent - (after.verifications - before.verifications) - (after.tokenGrants - before.tokenGrants)).toBe(0);
    },
  );

  it('answers 400 when LogUp itself refuses the input', async () => {
    ctx.emu.fault({ kind: 'status', status: 400, endpoint: 'db-update', body: { errorMessage: 'VALUE_REFUSED' } });
    const result = outcome(ctx, await updateDb(ctx, { a: 1 }));
    expect(result).toMatchObject({ status: 400, message: expect.stringContaining('VALUE_REFUSED') });
  });
}

describe.each<Platform>(['express', 'fastify', 'graphql'])('library errors in the app’s own %s routes', (platform) => {
  const ctx = { platform } as Ctx;
  let app: INestApplication;

  beforeAll(async () => {
    ctx.emu = await emulator();
    ({ app, url: ctx.base } = await routeErrorsApp(ctx.emu, platform, { timeoutMs: 1500 }));
  });
  afterAll(async () => {
    await app?.close();
    await ctx.emu?.stop();
  });

  badInputTests(ctx);

  it('answers 503 with Retry-After when LogUp is down, 504 when it hangs, 502 when it answers oddly', async () => {
    const { emu } = ctx;
    emu.fault({ kind: 'status', status: 503, endpoint: 'db-update', headers: { 'retry-after': '7' } });
    const down = await updateDb(ctx, { a: 1 });
    expect(outcome(ctx, down)).toMatchObject({
      status: 503,
      message: 'LogUp is unavailable; please try again shortly',
    });
    if (platform !== 'graphql') expect(down.retryAfter).toBe('7');
    else expect(outcome(ctx, down).code).toBe('SERVICE_UNAVAILABLE');

    emu.fault({ kind: 'hang', endpoint: 'db-update' });
    expect(outcome(ctx, await updateDb(ctx, { a: 1 }))).toMatchObject({ status: 504 });

    emu.fault({ kind: 'status', status: 404, endpoint: 'db-update' });
    expect(outcome(ctx, await updateDb(ctx, { a: 1 }))).toMatchObject({ status: 502 });
  }, 30_000);

  it('still answers a good call', async () => {
    const answer = await updateDb(ctx, { plan: 'pro' });
    if (platform === 'graphql')
      expect(JSON.parse((answer.body.data as { updateDb: string }).updateDb)).toEqual({ plan: 'pro' });
    else expect(answer).toMatchObject({ status: 201, body: { db: { plan: 'pro' } } });
  });
});

describe('mapErrors: false', () => {
  it('leaves a library error to the app’s filters (here Nest’s own: 500)', async () => {
    const emu = await emulator();
    const { app, url: base } = await routeErrorsApp(emu, 'express', { mapErrors: false });
    try {
      const { logupToken } = emu.login({ idGate: GATE.idGate, email: email('off') });
      const res = await fetch(`${base}/db`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ logupToken, data: { a: null } }),
      });
      expect(res.status).toBe(500);
    } finally {
      await app.close();
      await emu.stop();
    }
  });
});
