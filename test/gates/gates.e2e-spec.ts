// Each gate's guard is satisfied by its own gate's login only (issue: one gate's login
// passed every other gate's guard, and @CurrentSubscription() handed out the wrong gate's
// subscription, so DB calls went to the wrong gate).
import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { LogupConfigurationError } from 'nestjs-logup';
import { Visitor } from '../support/browserless.js';
import { CaptureLogger } from '../support/log-capture.js';
import { PLATFORMS, type RunningApp } from '../support/nest-app.js';
import { GATES, gateOptions, gatesApp, type GateName } from './gates-app.js';

let emu: LogupEmulator;
beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    gates: Object.fromEntries(Object.values(GATES).map((g) => [g.idGate, g.secret])),
  });
});
afterAll(() => emu?.stop());

let n = 0;
/** Logs the visitor in to one gate: start, LogUp, callback. Resolves to the idSubscription. */
async function logIn(visitor: Visitor, gate: GateName): Promise<string> {
  expect((await visitor.get(`/start/${gate}`, false)).status).toBe(200);
  const login = emu.login({ idGate: GATES[gate].idGate, email: `gates-${process.pid}-${++n}@example.com` });
  const path = gate === 'default' ? '/logup/callback' : `/logup/${gate}/callback`;
  const res = await visitor.get(`${path}?logupToken=${login.logupToken}&isNewUser=false`, false);
  expect(res.status).toBe(200);
  expect(JSON.parse(res.body)).toEqual({ gate, id: login.idSubscription });
  return login.idSubscription;
}

/** Routes guarded by two gates, on the route or on its controller and method: both logins needed. */
function twoGateRouteTests(app: RunningApp): void {
  it('requires both logins on a route guarded by two gates', async () => {
    const visitor = new Visitor(app.url);
    const shop = await logIn(visitor, 'shop');
    expect((await visitor.get('/both', false)).status).toBe(401);
    const b2b = await logIn(visitor, 'b2b');
    expect(JSON.parse((await visitor.get('/both', false)).body)).toEqual({ shop, b2b });
  });

  it("requires the method's gate inside another gate's controller", async () => {
    const visitor = new Visitor(app.url);
    const shop = await logIn(visitor, 'shop');
    expect(JSON.parse((await visitor.get('/shop/me', false)).body)).toEqual({ shop });
    expect((await visitor.get('/shop/b2b-area', false)).status).toBe(401);
    const b2b = await logIn(visitor, 'b2b');
    expect(JSON.parse((await visitor.get('/shop/b2b-area', false)).body)).toEqual({ b2b });
  });
}

describe.each(PLATFORMS)('gates on one request (%s)', (adapter) => {
  const app = {} as RunningApp;
  beforeAll(async () => Object.assign(app, await gatesApp(emu, adapter)));
  afterAll(() => app.close?.());

  it("logs in to each named gate on its callback under a global default guard, and the default gate's own", async () => {
    const visitor = new Visitor(app.url);
    await logIn(visitor, 'shop');
    await logIn(visitor, 'b2b');
    await logIn(visitor, 'default');
  });

  twoGateRouteTests(app);

  it('requires the global gate and the route gate, and hands each decorator its own gate', async () => {
    const visitor = new Visitor(app.url);
    const main = await logIn(visitor, 'default');
    expect((await visitor.get('/b2b-under-global', false)).status).toBe(401);
    expect((await visitor.get('/b2b-only', false)).status).toBe(401);
    const b2b = await logIn(visitor, 'b2b');
    expect(JSON.parse((await visitor.get('/b2b-under-global', false)).body)).toEqual({ b2b, main });
    expect(b2b).not.toBe(main);

    const onlyB2b = new Visitor(app.url);
    const id = await logIn(onlyB2b, 'b2b');
    expect((await onlyB2b.get('/b2b-under-global', false)).status).toBe(401);
    expect(JSON.parse((await onlyB2b.get('/b2b-only', false)).body)).toEqual({ b2b: id });
  });

  it('refuses to guess between two gates when no gate is named', async () => {
    const visitor = new Visitor(app.url);
    await logIn(visitor, 'default');
    await logIn(visitor, 'b2b');
    const res = await visitor.get('/ambiguous', false);
    expect(res.status).toBe(500);
    expect(res.body).not.toContain('sub_');
  });
});

describe('gates that would share what is theirs', () => {
  const boot = async (imports: unknown[]) => {
    @Module({ imports: imports as never[] })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .setLogger(new CaptureLogger())
      .compile();
    return moduleRef.createNestApplication().init();
  };

  it('fails the boot when two gates share a sessionKey', async () => {
    const failure = boot([
      gateOptions(emu, 'shop', { sessionKey: 'auth' }),
      gateOptions(emu, 'b2b', { sessionKey: 'auth' }),
    ]);
    await expect(failure).rejects.toBeInstanceOf(LogupConfigurationError);
    await expect(failure).rejects.toThrow('The gates "shop" and "b2b" share the sessionKey "auth"');
  });

  it('fails the boot when two gates share a callback path, a trailing slash aside', async () => {
    const failure = boot([
      gateOptions(emu, 'default', { callbackPath: '/auth/done' }),
      gateOptions(emu, 'b2b', { callbackPath: '/auth/done/' }),
    ]);
    await expect(failure).rejects.toThrow('The gates "default" and "b2b" share the callbackPath "/auth/done"');
  });
});
