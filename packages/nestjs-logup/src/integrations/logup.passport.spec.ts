import { HttpException, Injectable, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LOGUP_CONFIG } from '../logup.constants.js';
import { LogupUnavailableError } from '../errors/logup.api-errors.js';
import type { LogupConfig, LogupLoginBinding } from '../options/logup-module-options.interface.js';
import { LogupModule } from '../logup.module.js';
import { LogupStrategy } from './logup.passport.js';
import { LogupService, type LogupVerification } from '../logup.service.js';
import { loginOf } from '../login/logup.request.js';
import { startPendingLogin, type LogupPendingLogin } from '../session/logup.session.js';

/** Starts a pending login in a plain-object session (written at once; nothing to save) and returns it. */
function startPendingLoginNow(req: Record<string, unknown>, config: LogupConfig): LogupPendingLogin {
  void startPendingLogin(req, config);
  return (req.session as Record<string, LogupPendingLogin>)[`${config.sessionKey as string}:pending`];
}

const OPTIONS = { idGate: 'gate_unit', secret: 'secret_unit_do_not_leak' };
const TOKEN = 'tok_'.padEnd(40, 'a');
const VERIFIED = {
  verified: true,
  subscription: { idSubscription: 'sub_a', idActor: 'acr_a', isNewUser: false },
} as unknown as LogupVerification;

type Outcome =
  { kind: 'success'; user: unknown } | { kind: 'fail'; status?: number } | { kind: 'error'; error: unknown };

/** Runs the strategy as passport does: on a per-request copy given success/fail/error. */
function authenticate(strategy: LogupStrategy, request: Record<string, unknown>): Promise<Outcome> {
  return new Promise((resolve) => {
    const run = Object.assign(Object.create(strategy) as LogupStrategy, {
      success: (user: unknown) => resolve({ kind: 'success', user }),
      fail: (_challenge: unknown, status?: number) => resolve({ kind: 'fail', status }),
      error: (error: unknown) => resolve({ kind: 'error', error }),
    });
    run.authenticate(request);
  });
}

async function setUp(
  options: { loginBinding?: LogupLoginBinding; strategy?: Type<LogupStrategy> } = {},
  verify: () => Promise<LogupVerification> = () => Promise.resolve(VERIFIED),
) {
  const calls: unknown[][] = [];
  const fake = {
    calls,
    verify: (...args: unknown[]) => {
      calls.push(args);
      return verify();
    },
  };
  const moduleRef = await Test.createTestingModule({
    imports: [LogupModule.forRoot({ ...OPTIONS, loginBinding: options.loginBinding ?? 'pending' })],
    providers: [options.strategy ?? LogupStrategy],
  })
    .overrideProvider(LogupService)
    .useValue(fake)
    .compile();
  const config = moduleRef.get<LogupConfig>(LOGUP_CONFIG);
  const strategy = moduleRef.get<LogupStrategy>(options.strategy ?? LogupStrategy);
  /** A request of a browser that started a login (or not), with a callback query. */
  const request = (query: Record<string, unknown>, started = true, extra: Record<string, unknown> = {}) => {
    const req: Record<string, unknown> = { query, session: {}, ...extra };
    const pending = started ? startPendingLoginNow(req, config) : undefined;
    return { req, nonce: pending?.nonce };
  };
  return { moduleRef, fake, config, strategy, request };
}

const statusOf = (outcome: Outcome) =>
  outcome.kind === 'error' && outcome.error instanceof HttpException ? outcome.error.getStatus() : undefined;

describe('LogupStrategy', () => {
  it('verifies a started callback: request.user is the subscription, also attached for @CurrentSubscription()', async () => {
    const { strategy, request, fake } = await setUp();
    const { req } = request({ logupToken: TOKEN, isNewUser: 'false' });
    const outcome = await authenticate(strategy, req);
    expect(outcome).toEqual({ kind: 'success', user: VERIFIED.verified && VERIFIED.subscription });
    expect(loginOf(req, 'default')?.subscription).toBe(VERIFIED.verified && VERIFIED.subscription);
    expect(fake.calls).toEqual([[TOKEN, false]]);
  });

  it("checks the nonce in 'nonce' mode before asking LogUp", async () => {
    const { strategy, request, fake } = await setUp({ loginBinding: 'nonce' });
    const wrong = request({ logupToken: TOKEN, isNewUser: 'false', logupNonce: 'wrong' });
    expect(statusOf(await authenticate(strategy, wrong.req))).toBe(400);
    expect(fake.calls).toEqual([]);
    const right = request({ logupToken: TOKEN, isNewUser: 'false' });
    (right.req.query as Record<string, unknown>).logupNonce = right.nonce;
    expect((await authenticate(strategy, right.req)).kind).toBe('success');
  });

  it('refuses an expired pending login and a request without a session (400); binding off needs neither', async () => {
    const { strategy, request, config } = await setUp();
    const expired = request({ logupToken: TOKEN, isNewUser: 'false' });
    const session = expired.req.session as Record<string, { expiresAt: number }>;
    session[`${config.sessionKey as string}:pending`].expiresAt = Date.now() - 1;
    expect(statusOf(await authenticate(strategy, expired.req))).toBe(400);
    expect(statusOf(await authenticate(strategy, { query: { logupToken: TOKEN, isNewUser: 'false' } }))).toBe(400);
    const off = await setUp({ loginBinding: 'off' });
    const query = { logupToken: TOKEN, isNewUser: 'false' };
    const navigation = { 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'cross-site' };
    expect((await authenticate(off.strategy, { query, headers: navigation })).kind).toBe('success');
    expect((await authenticate(off.strategy, { query, headers: { accept: 'application/json' } })).kind).toBe('success');
    // Binding off, yet a link checker (HEAD, or a GET asking for anything) or a prefetch never spends the token.
    const linkChecker = { method: 'GET', query, headers: { accept: '*/*' } };
    expect(statusOf(await authenticate(off.strategy, linkChecker))).toBe(400);
    expect(statusOf(await authenticate(off.strategy, { ...linkChecker, method: 'HEAD' }))).toBe(400);
    const prefetch = { query, headers: { ...navigation, 'sec-purpose': 'prefetch' } };
    expect(statusOf(await authenticate(off.strategy, prefetch))).toBe(400);
    expect(off.fake.calls).toHaveLength(2);
  });
});

describe('LogupStrategy: refusals and outages', () => {
  it('fails (401, no error) without a logupToken, so another strategy of a chain may try', async () => {
    const { strategy, request, fake } = await setUp();
    expect(await authenticate(strategy, request({ isNewUser: 'false' }).req)).toEqual({ kind: 'fail', status: 401 });
    expect(fake.calls).toEqual([]);
  });

  it('maps LogUp outages to 503 with Retry-After on the response, and passes unknown errors on', async () => {
    const unavailable = new LogupUnavailableError({
      operation: 'verification',
      reason: 'status',
      status: 503,
      detail: 'HTTP 503',
      retryAfterSeconds: 7,
    });
    const { strategy, request } = await setUp({}, () => Promise.reject(unavailable));
    const headers: Record<string, string> = {};
    const res = { setHeader: (name: string, value: string) => (headers[name] = value) };
    const outcome = await authenticate(strategy, request({ logupToken: TOKEN, isNewUser: 'true' }, true, { res }).req);
    expect(statusOf(outcome)).toBe(503);
    expect(headers).toEqual({ 'Retry-After': '7' });
    const bug = new TypeError('a bug');
    const other = await setUp({}, () => Promise.reject(bug));
    expect(await authenticate(other.strategy, other.request({ logupToken: TOKEN, isNewUser: 'true' }).req)).toEqual({
      kind: 'error',
      error: bug,
    });
  });

  it('refuses a callback for another subscription than request.user (409), not for the same one', async () => {
    const { strategy, request } = await setUp();
    const other = request({ logupToken: TOKEN, isNewUser: 'false' }, true, { user: { idSubscription: 'sub_b' } });
    expect(statusOf(await authenticate(strategy, other.req))).toBe(409);
    const same = request({ logupToken: TOKEN, isNewUser: 'false' }, true, { user: { idSubscription: 'sub_a' } });
    expect((await authenticate(strategy, same.req)).kind).toBe('success');
  });
});

describe('LogupStrategy: validate()', () => {
  it("uses a subclass's validate(): its value becomes request.user, false fails, a throw is the error", async () => {
    const refused = new HttpException('no', 403);
    @Injectable()
    class Refusing extends LogupStrategy {
      override validate(subscription: { idSubscription: string }) {
        if (subscription.idSubscription === 'sub_a') throw refused;
        return false;
      }
    }
    @Injectable()
    class Mapping extends LogupStrategy {
      override validate(subscription: { idSubscription: string }) {
        return Promise.resolve({ id: `user:${subscription.idSubscription}` });
      }
    }
    const mapping = await setUp({ strategy: Mapping });
    const query = { logupToken: TOKEN, isNewUser: 'false' };
    expect(await authenticate(mapping.strategy, mapping.request(query).req)).toEqual({
      kind: 'success',
      user: { id: 'user:sub_a' },
    });
    const refusing = await setUp({ strategy: Refusing });
    expect(await authenticate(refusing.strategy, refusing.request(query).req)).toEqual({
      kind: 'error',
      error: refused,
    });
    const failing = await setUp({ strategy: Refusing }, () =>
      Promise.resolve({ ...VERIFIED, subscription: { idSubscription: 'sub_c' } } as unknown as LogupVerification),
    );
    expect(await authenticate(failing.strategy, failing.request(query).req)).toEqual({ kind: 'fail', status: 401 });
  });
});
