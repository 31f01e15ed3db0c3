import { LogupCredentialsError } from 'nestjs-logup';
import { GATE, email, logupContext, withLogup } from '../support/logup-fixture.js';

// Every answer LogUp's reference allows is accepted (LOGUP-API.md, "Verify a callback token").
describe.each([200, 201] as const)('an emulator answering /verification with %i', (verificationStatus) => {
  const ctx = withLogup({ verificationStatus });

  it('verifies, and the DB calls work', async () => {
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email(), db: { a: 1 } });
    const result = await ctx.logup.verify(login.logupToken, true);
    expect(result.verified).toBe(true);
    if (!result.verified) return;
    expect(result.subscription.idActor).toBe(login.idActor);
    expect(await result.subscription.updateDb({ b: true })).toEqual({ a: 1, b: true });
  });
});

// LogUp's answers as the reference prints them.
const ctx = withLogup({}, { retry: { retries: 0 } });
afterEach(() => ctx.emu.clearFaults());

describe("LogUp's verification and token answers as the reference prints them", () => {
  it('accepts the reference verification example verbatim (the stray errorMessage is ignored)', async () => {
    const example = {
      verified: true,
      errorMessage: 'INVALID_LOGUP_TOKEN',
      idActor: 'acr_testActorLogUp',
      idSubscription: 'sub_testSubscription',
      db: { keyName: true },
    };
    for (const status of [200, 201, 202]) {
      ctx.emu.fault({ kind: 'status', status, endpoint: 'verification', body: example });
      const result = await ctx.logup.verify('a'.repeat(128), false);
      expect(result.verified).toBe(true);
      if (!result.verified) return;
      expect(result.subscription.toJSON()).toEqual({
        idSubscription: 'sub_testSubscription',
        idActor: 'acr_testActorLogUp',
        isNewUser: false,
        db: { keyName: true },
      });
    }
  });

  it.each([
    ['"Baerer", as the reference prints it', { token_type: 'Baerer' }],
    ['absent', {}],
  ])('takes an access token whose token_type is %s, answered 200 or 201', async (_label, extra) => {
    for (const status of [200, 201]) {
      const other = await logupContext(ctx.emu);
      try {
        ctx.emu.fault({
          kind: 'status',
          status,
          endpoint: 'token',
          body: { access_token: `tok_${status}_${Date.now()}`, expires_in: 3600, ...extra },
        });
        // The emulator does not know the token the fault handed out: the next call answers 401,
        // which proves the library used it (and renews once).
        const login = ctx.emu.login({ idGate: GATE.idGate, email: email() });
        expect((await other.logup.verify(login.logupToken, false)).verified).toBe(true);
      } finally {
        await other.app.close();
      }
    }
  });
});

describe("LogUp's refusals and delete answers as the reference prints them", () => {
  it.each([400, 401])('reports wrong gate credentials answered %i as LogupCredentialsError', async (status) => {
    const other = await logupContext(ctx.emu, { secret: 'secret_wrong_value_123', retry: { retries: 0 } });
    try {
      ctx.emu.fault({ kind: 'status', status, endpoint: 'token', body: { errorMessage: 'INVALID_CLIENT' } });
      const error = await other.logup.verify('a'.repeat(128), false).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LogupCredentialsError);
      expect(error).toMatchObject({ status, errorMessage: 'INVALID_CLIENT', idGate: GATE.idGate });
    } finally {
      await other.app.close();
    }
  });

  it('accepts any 2xx on delete', async () => {
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email(), db: { a: 1, b: 2 } });
    const sub = ctx.logup.subscription(login.idSubscription);
    ctx.emu.fault({ kind: 'status', status: 200, endpoint: 'db-delete', body: {} });
    expect(await sub.deleteDbValues(['a'])).toEqual({ a: 1, b: 2 });
  });
});
