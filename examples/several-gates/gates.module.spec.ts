// The README's gates module (gates.module.ts) in an app that uses only the published
// packages: run here, and by both consumer apps from the packed tarballs.
import { Injectable, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { LogupEmulator } from 'logup-emulator';
import { InjectLogup, LogupModule, LogupService, getLogupServiceToken } from 'nestjs-logup';
import { browser, startEmulatedApp, type EmulatedApp } from '../support/emulated-app.js';
import { GatesModule } from './gates.module.js';

const SHOP = { idGate: 'gate_shop', secret: 'shop-secret-value' };
const B2B = { idGate: 'gate_b2b', secret: 'b2b-secret-value' };
const quiet: LoggerService = { log() {}, error() {}, warn() {} };

/** The README's GatesModule, its two gates configured from the environment (as in production). */
async function createApp(emulator: LogupEmulator) {
  Object.assign(process.env, {
    LOGUP_BASE_URL: emulator.url,
    SHOP_ID_GATE: SHOP.idGate,
    SHOP_SECRET: SHOP.secret,
    SHOP_LOGIN_URL: `${emulator.url}/login?gate=shop`,
    B2B_ID_GATE: B2B.idGate,
    B2B_SECRET: B2B.secret,
    B2B_LOGIN_URL: `${emulator.url}/login?gate=b2b`,
  });
  const moduleRef = await Test.createTestingModule({ imports: [GatesModule] }).compile();
  return moduleRef.createNestApplication({ logger: false });
}

/** The app with both gates (started once for this file), for 'several gates in one app'. */
let ctx: EmulatedApp;
beforeAll(async () => {
  ctx = await startEmulatedApp({ [SHOP.idGate]: SHOP.secret, [B2B.idGate]: B2B.secret }, createApp);
});
afterAll(() => ctx?.close());

const loginTo = (gate: { idGate: string }, email: string) => ctx.emulator.login({ idGate: gate.idGate, email });

describe('several gates in one app', () => {
  it('gives each gate its own LogupService, configured for its own gate', () => {
    const shop = ctx.app.get<LogupService>(getLogupServiceToken('shop'));
    const b2b = ctx.app.get<LogupService>(getLogupServiceToken('b2b'));
    expect(shop).not.toBe(b2b);
    expect(shop.toJSON()).toMatchObject({ idGate: SHOP.idGate });
    expect(b2b.toJSON()).toMatchObject({ idGate: B2B.idGate });
  });

  it("refuses a token of the shop gate on the b2b gate's callback, and accepts the b2b gate's own", async () => {
    const get = browser(ctx.url);
    expect((await get('/logup/b2b/login', { method: 'POST' })).headers.get('location')).toBe(
      `${ctx.emulator.url}/login?gate=b2b`,
    );
    expect((await get('/logup/nope/login', { method: 'POST' })).status).toBe(404);
    const shopLogin = loginTo(SHOP, 'ada@example.com');
    const refused = await get(`/logup/b2b/callback?logupToken=${shopLogin.logupToken}&isNewUser=false`);
    expect(refused.status).toBe(401);
    expect((await get('/b2b/me')).status).toBe(401);

    await get('/logup/b2b/login', { method: 'POST' });
    const b2bLogin = loginTo(B2B, 'ada@example.com');
    const callback = await get(`/logup/b2b/callback?logupToken=${b2bLogin.logupToken}&isNewUser=false`);
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/b2b/me');
    expect(await (await get('/b2b/me')).json()).toEqual({ gate: 'b2b', idSubscription: b2bLogin.idSubscription });
  });

  it('keeps each gate its own login in the session, and each token to its own callback path', async () => {
    const get = browser(ctx.url);
    await get('/logup/shop/login', { method: 'POST' });
    const shopLogin = loginTo(SHOP, 'grace@example.com');
    expect((await get(`/logup/shop/callback?logupToken=${shopLogin.logupToken}&isNewUser=true`)).status).toBe(303);
    expect(await (await get('/shop/me')).json()).toEqual({ gate: 'shop', idSubscription: shopLogin.idSubscription });
    expect((await get('/b2b/me')).status).toBe(401);
    // A token of the shop gate anywhere but the shop gate's callback path: 400, never verified.
    const other = loginTo(SHOP, 'grace@example.com');
    expect((await get(`/shop/me?logupToken=${other.logupToken}&isNewUser=false`)).status).toBe(400);
    // Logged in to the shop, the b2b gate is another login, with its own pending login.
    await get('/logup/b2b/login', { method: 'POST' });
    const b2bLogin = loginTo(B2B, 'grace@example.com');
    expect((await get(`/logup/b2b/callback?logupToken=${b2bLogin.logupToken}&isNewUser=true`)).status).toBe(303);
    expect(await (await get('/b2b/me')).json()).toEqual({ gate: 'b2b', idSubscription: b2bLogin.idSubscription });
    // The b2b login gave the session a new id, and the shop login came along.
    expect(await (await get('/shop/me')).json()).toEqual({ gate: 'shop', idSubscription: shopLogin.idSubscription });
  });
});

describe('registering one gate name twice', () => {
  it.each([
    ['the default name', {}, {}],
    ['a given name', { name: 'shop' }, { name: 'shop' }],
  ])('fails the boot with a clear message (%s)', async (_label, first, second) => {
    const error = await Test.createTestingModule({
      imports: [LogupModule.forRoot({ ...SHOP, ...first }), LogupModule.forRoot({ ...B2B, ...second })],
    })
      .setLogger(quiet)
      .compile()
      .then((moduleRef) => moduleRef.init())
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toMatch(/LogupModule\.forRoot\(\) was called twice with the name "(default|shop)"/);
  });

  it('boots two differently named gates, the default one injected as LogupService', async () => {
    @Injectable()
    class Consumer {
      constructor(
        readonly logup: LogupService,
        @InjectLogup('b2b') readonly b2b: LogupService,
      ) {}
    }
    const moduleRef = await Test.createTestingModule({
      imports: [LogupModule.forRoot({ ...SHOP }), LogupModule.forRoot({ ...B2B, name: 'b2b' })],
      providers: [Consumer],
    })
      .setLogger(quiet)
      .compile();
    const app = await moduleRef.init();
    const consumer = app.get(Consumer);
    expect(consumer.logup.toJSON()).toMatchObject({ idGate: SHOP.idGate });
    expect(consumer.b2b.toJSON()).toMatchObject({ idGate: B2B.idGate });
    await app.close();
  });
});
