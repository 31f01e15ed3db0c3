import { inspect } from 'node:util';
import { HttpService } from '@nestjs/axios';
import { ModulesContainer } from '@nestjs/core';
import { LogupApiError, LogupCredentialsError } from 'nestjs-logup';
import type { INestApplicationContext } from '@nestjs/common';
import { GATE, email, logupContext, withLogup } from '../support/logup-fixture.js';

/** Every provider instance of LogupModule (its HttpService included). */
function everyInstance(app: INestApplicationContext): { name: string; instance: unknown }[] {
  const found: { name: string; instance: unknown }[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    if (module.name !== 'LogupModule') continue;
    for (const [token, wrapper] of module.providers) {
      // Nest's own ModuleRef holds the whole container (and is not ours to redact).
      if (wrapper.instance && wrapper.name !== 'ModuleRef')
        found.push({
          name: `${module.name}:${typeof token === 'function' ? token.name : String(token)}`,
          instance: wrapper.instance,
        });
    }
  }
  return found;
}

describe('nothing secret in inspect or JSON of any injectable', () => {
  const ctx = withLogup();

  it('with a live access token cached', async () => {
    const accessTokens: string[] = [];
    ctx.app.get(HttpService, { strict: false }).axiosRef.interceptors.request.use((config) => {
      const header = String(config.headers.authorization ?? '');
      if (header.startsWith('Bearer ')) accessTokens.push(header.slice(7));
      return config;
    });
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email() });
    expect((await ctx.logup.verify(login.logupToken, false)).verified).toBe(true);
    expect(accessTokens.length).toBe(1);
    const instances = everyInstance(ctx.app);
    const names = instances.map((i) => i.name).join(' ');
    expect(names).toContain('LogupService');
    expect(names).toContain('LogupGuard');
    expect(names).toContain('LogupApiClient');
    expect(names).toContain('Symbol(nestjs-logup.config)');
    expect(names).toContain('nestjs-logup.module-options');
    for (const { name, instance } of instances) {
      const views = [
        inspect(instance, { depth: null, showHidden: true }),
        inspect(instance, { depth: null, showHidden: true, getters: true }),
        String(JSON.stringify(instance) ?? ''),
      ];
      for (const view of views) {
        expect({ name, leaked: view.includes(GATE.secret) }).toEqual({ name, leaked: false });
        for (const token of accessTokens)
          expect({ name, leaked: view.includes(token) }).toEqual({ name, leaked: false });
      }
    }
  });
});

/** Registers hooks: an emulator and a context without retries that holds an access token; faults cleared after each test. */
function withHostileLogup() {
  const ctx = withLogup({}, { retry: { retries: 0 } });
  beforeAll(() => ctx.logup.checkConnection()); // an access token, so each case counts its own requests only
  afterEach(() => ctx.emu.clearFaults());
  /** A verification of a fresh login whose DB is `db`. */
  const verify = (db?: Record<string, number>) =>
    ctx.logup.verify(ctx.emu.login({ idGate: GATE.idGate, email: email(), db }).logupToken, false);
  return { ctx, verify };
}

describe('hostile or broken answers from LogUp: ids and DBs', () => {
  const { ctx, verify } = withHostileLogup();

  it.each([
    ['..', 'sub_ok'],
    ['.', 'sub_ok'],
    ['', 'sub_ok'],
    ['x'.repeat(300), 'sub_ok'],
    ['sub\u0000x', 'sub_ok'],
    [42, 'sub_ok'],
    ['sub_ok', '..'],
    ['sub_ok', undefined],
  ])(
    'treats idSubscription %j / idActor %j as a malformed answer (nothing sent with it)',
    async (idSubscription, idActor) => {
      ctx.emu.fault({
        kind: 'status',
        status: 201,
        endpoint: 'verification',
        body: { verified: true, idSubscription, idActor, db: {} },
      });
      const before = ctx.emu.stats().apiRequests;
      const error = await verify().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LogupApiError);
      expect((error as LogupApiError).errorMessage).toBe('MALFORMED_ANSWER');
      expect(ctx.emu.stats().apiRequests - before).toBe(1);
    },
  );
});

describe('hostile or broken answers from LogUp: reasons and echoes', () => {
  const { ctx, verify } = withHostileLogup();

  it('bounds and cleans a verified: false reason', async () => {
    ctx.emu.fault({
      kind: 'status',
      status: 200,
      endpoint: 'verification',
      body: { verified: false, errorMessage: `NOPE\n${'x'.repeat(1_000_000)}` },
    });
    const result = await verify();
    expect(result.verified).toBe(false);
    if (result.verified) return;
    expect(result.errorMessage.length).toBeLessThanOrEqual(200);
    expect(result.errorMessage).toMatch(/^NOPE /);
  });

  it('keeps the secret and the token out of an error when LogUp echoes the request', async () => {
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email() });
    ctx.emu.fault({
      kind: 'status',
      status: 404,
      endpoint: 'verification',
      body: { message: `unknown token ${login.logupToken}` },
    });
    const error = await ctx.logup.verify(login.logupToken, false).catch((e: unknown) => e);
    expect(String(error)).toContain('[redacted]');
    expect(`${String(error)}${JSON.stringify(error)}`).not.toContain(login.logupToken);

    const other = await logupContext(ctx.emu, { secret: 'hunter2-wrong' });
    try {
      ctx.emu.fault({
        kind: 'status',
        status: 400,
        endpoint: 'token',
        body: { errorMessage: 'bad client_secret=hunter2-wrong' },
      });
      const refused = await other.logup.verify(login.logupToken, false).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(LogupCredentialsError);
      expect(`${String(refused)}${JSON.stringify(refused)}`).not.toContain('hunter2-wrong');
    } finally {
      await other.app.close();
    }
  });
});
