import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { LogupApiError, type LogupService } from 'nestjs-logup';
import { GATE, email, logupContext, withLogup } from '../support/logup-fixture.js';

/** The error a call ends with (or undefined when it succeeds). */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

/** A malformed answer: a LogupApiError naming the field, never a TypeError, never echoing the value. */
function expectMalformed(error: unknown, operation: string, field: RegExp, value?: string): void {
  expect(error).not.toBeInstanceOf(TypeError);
  expect(error).toBeInstanceOf(LogupApiError);
  expect(error).toMatchObject({ code: 'LOGUP_API', operation, errorMessage: 'MALFORMED_ANSWER' });
  expect((error as Error).message).toMatch(field);
  if (value !== undefined && value.length >= 4) expect(JSON.stringify(error) + String(error)).not.toContain(value);
}

// Every field taken from a LogUp answer is checked before use.
const ctx = withLogup();
afterEach(() => ctx.emu.clearFaults());

const sub = () =>
  ctx.logup.subscription(ctx.emu.login({ idGate: GATE.idGate, email: email('malformed') }).idSubscription);
/** The next token request answers `body`; the call that needs it runs. */
const withTokenAnswer = (body: Record<string, unknown>) => {
  ctx.emu.revokeAccessTokens();
  ctx.emu.fault({ kind: 'status', status: 201, endpoint: 'token', body });
  return failure(sub().getDb());
};

describe('an access token answer: the token itself', () => {
  it.each([
    ['CR/LF (a header injection)', 'tok_abc\r\nX-Injected: yes'],
    ['a lone LF', 'tok_abc\ndef'],
    ['a space', 'tok abc'],
    ['a character outside ASCII', 'tok_ä_abc'],
    ['a character beyond Latin-1', 'tok_\u0100_abc'],
    ['a NUL', 'tok_\u0000_abc'],
    ['5000 characters', 'x'.repeat(5000)],
  ])('an access_token with %s: LogupApiError, nothing sent with it', async (_name, accessToken) => {
    const before = ctx.emu.stats().apiRequests;
    const error = await withTokenAnswer({ access_token: accessToken, token_type: 'Bearer', expires_in: 3600 });
    expectMalformed(error, 'access token', /access_token/, accessToken);
    expect(ctx.emu.stats().apiRequests - before).toBe(1); // the token request only
  });

  it.each([
    ['missing', {}],
    ['empty', { access_token: '' }],
    ['a number', { access_token: 12345 }],
    ['an object', { access_token: { value: 'tok' } }],
  ])('an access_token that is %s: LogupApiError', async (_name, body) => {
    expectMalformed(await withTokenAnswer({ ...body, expires_in: 3600 }), 'access token', /access_token/);
  });

  it.each([
    ['not numeric', 'soon'],
    ['negative', -5],
    ['zero', 0],
    ['huge (a trillion seconds)', 1e12],
    ['a boolean', true],
    ['an object', { seconds: 3600 }],
    ['a numeric string with a sign', '-3600'],
  ])('an expires_in that is %s: LogupApiError', async (_name, expiresIn) => {
    const error = await withTokenAnswer({ access_token: 'tok_abcdefghijkl', expires_in: expiresIn });
    expectMalformed(error, 'access token', /expires_in/);
  });
});

describe('an access token answer: its shape and expiry', () => {
  it('a token answer that is not an object: LogupApiError', async () => {
    ctx.emu.revokeAccessTokens();
    ctx.emu.fault({ kind: 'status', status: 201, endpoint: 'token', body: ['tok_abcdefghijkl'] });
    expectMalformed(await failure(sub().getDb()), 'access token', /not a JSON object/);
  });

  it.each([
    ['absent (an hour is assumed)', undefined],
    ['a numeric string', '3600'],
  ])('an expires_in that is %s is accepted', async (_name, expiresIn) => {
    ctx.emu.revokeAccessTokens();
    const answer = await fetch(`${ctx.emu.url}/v1_1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: GATE.idGate, client_secret: GATE.secret, grant_type: 'client_credentials' }),
    });
    const { access_token } = (await answer.json()) as { access_token: string };
    ctx.emu.fault({ kind: 'status', status: 201, endpoint: 'token', body: { access_token, expires_in: expiresIn } });
    await expect(sub().getDb()).resolves.toEqual({});
  });
});

describe('verification and DB answers: every field checked before use', () => {
  it.each([
    ['verified is not a boolean', { verified: 'yes', idSubscription: 'sub_ok', idActor: 'acr_ok' }, /verification/],
    ['db holds an object', { verified: true, idSubscription: 'sub_ok', idActor: 'acr_ok', db: { a: { b: 1 } } }, /db/],
    ['db is a list', { verified: true, idSubscription: 'sub_ok', idActor: 'acr_ok', db: [1] }, /db/],
    [
      'idSubscription has a CR/LF',
      { verified: true, idSubscription: 'sub_a\r\nb', idActor: 'acr_ok' },
      /idSubscription/,
    ],
  ])('a verification whose %s: LogupApiError', async (_name, body, field) => {
    ctx.emu.fault({ kind: 'status', status: 201, endpoint: 'verification', body });
    const token = ctx.emu.login({ idGate: GATE.idGate, email: email('malformed') }).logupToken;
    expectMalformed(await failure(ctx.logup.verify(token, false)), 'verification', field);
  });

  it('a verified: false with a reason that is not text: not verified, reason NOT_VERIFIED', async () => {
    ctx.emu.fault({
      kind: 'status',
      status: 200,
      endpoint: 'verification',
      body: { verified: false, errorMessage: {} },
    });
    const token = ctx.emu.login({ idGate: GATE.idGate, email: email('malformed') }).logupToken;
    await expect(ctx.logup.verify(token, false)).resolves.toEqual({ verified: false, errorMessage: 'NOT_VERIFIED' });
  });

  it.each([
    ['a list', [1, 2]],
    ['a nested object', { a: { b: 1 } }],
    ['a null value', { a: null }],
  ])('a DB read answering %s: LogupApiError', async (_name, body) => {
    const s = sub();
    await s.getDb();
    ctx.emu.fault({ kind: 'status', status: 200, endpoint: 'db-read', body });
    expectMalformed(await failure(s.getDb()), 'getDb', /DB/);
  });
});

describe('numbers JSON cannot hold (a raw LogUp answering 1e999)', () => {
  let server: Server;
  let raw: { app: INestApplicationContext; logup: LogupService };
  beforeAll(async () => {
    server = createServer((req, res) => {
      const send = (status: number, text: string) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(text);
      req.resume();
      if (req.url === '/v1_1/oauth/token') return send(201, '{"access_token":"tok_raw_ok","expires_in":3600}');
      if (req.url === '/v1_1/verification')
        return send(201, '{"verified":true,"idSubscription":"sub_raw","idActor":"acr_raw","db":{"n":-1e999}}');
      if (req.url === '/v1_1/subscription/sub_raw/db') return send(200, '{"n":1e999}');
      if (req.url === '/v1_1/subscription/sub_big/db') return send(200, '{"n":1}');
      send(404, '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    raw = await logupContext({ url }, { retry: { retries: 0 } });
  });
  afterAll(async () => {
    await raw?.app.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a DB value of 1e999 (Infinity once parsed): LogupApiError', async () => {
    expectMalformed(await failure(raw.logup.subscription('sub_raw').getDb()), 'getDb', /DB/);
    await expect(raw.logup.subscription('sub_big').getDb()).resolves.toEqual({ n: 1 });
  });

  it('a verification DB value of -1e999: LogupApiError', async () => {
    expectMalformed(await failure(raw.logup.verify('a'.repeat(128), false)), 'verification', /db/);
  });
});
