import { Controller, Get, Injectable, Module, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import session from 'express-session';
import type { LogupEmulator } from 'logup-emulator';
import { InjectLogup, LogupGuard, LogupModule, Subscription, LogupService } from 'nestjs-logup';
import { Visitor } from '../support/browserless.js';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE, OTHER_GATE, email, emulator } from '../support/logup-fixture.js';

@Controller()
class GatesController {
  constructor(
    @InjectLogup('shop') readonly shop: LogupService,
    @InjectLogup('b2b') readonly b2b: LogupService,
  ) {}

  @UseGuards(LogupGuard.for('shop'))
  @Get('logup/shop/callback')
  shopCallback(@Subscription('idSubscription') id: string) {
    return { gate: 'shop', id };
  }

  @UseGuards(LogupGuard.for('b2b'))
  @Get('logup/b2b/callback')
  b2bCallback(@Subscription('idSubscription') id: string) {
    return { gate: 'b2b', id };
  }

  @UseGuards(LogupGuard.for('shop'))
  @Get('shop/me')
  shopMe(@Subscription('idSubscription') id: string) {
    return { id };
  }

  @UseGuards(LogupGuard.for('b2b'))
  @Get('b2b/me')
  b2bMe(@Subscription('idSubscription') id: string) {
    return { id };
  }
}

describe('several gates in one app', () => {
  let emu: LogupEmulator;
  let app: NestExpressApplication;
  let base: string;

  beforeAll(async () => {
    emu = await emulator();
    @Module({
      imports: [
        LogupModule.forRoot({ name: 'shop', ...GATE, baseUrl: emu.url, loginBinding: 'off' }),
        LogupModule.forRootAsync({
          name: 'b2b',
          useFactory: () => ({ ...OTHER_GATE, baseUrl: emu.url, loginBinding: 'off' as const }),
        }),
      ],
      controllers: [GatesController],
    })
    class AppModule {}
    app = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), {
      logger: new CaptureLogger(),
    });
    app.use(session({ secret: 'gates-session-secret', resave: false, saveUninitialized: true }));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await emu?.stop();
  });

  const tokenOf = (gate: { idGate: string }) => emu.login({ idGate: gate.idGate, email: email('gates') });

  it('injects each gate its own service, configured for its own gate', () => {
    const controller = app.get(GatesController);
    expect(controller.shop).not.toBe(controller.b2b);
    expect(controller.shop.toJSON()).toMatchObject({ idGate: GATE.idGate });
    expect(controller.b2b.toJSON()).toMatchObject({ idGate: OTHER_GATE.idGate });
  });

  it("verifies each callback against its own gate, and refuses gate A's token on gate B's callback", async () => {
    const a = tokenOf(GATE);
    const refused = await new Visitor(base).get(
      `/logup/b2b/callback?logupToken=${a.logupToken}&isNewUser=false`,
      false,
    );
    expect(refused.status).toBe(401);
    const b = tokenOf(OTHER_GATE);
    const ok = await new Visitor(base).get(`/logup/b2b/callback?logupToken=${b.logupToken}&isNewUser=false`, false);
    expect(JSON.parse(ok.body)).toEqual({ gate: 'b2b', id: b.idSubscription });
  });

  it('keeps each gate its own session, and accepts each token only on its own callback path', async () => {
    const visitor = new Visitor(base);
    const a = tokenOf(GATE);
    expect((await visitor.get(`/logup/shop/callback?logupToken=${a.logupToken}&isNewUser=true`, false)).status).toBe(
      200,
    );
    expect(JSON.parse((await visitor.get('/shop/me', false)).body)).toEqual({ id: a.idSubscription });
    expect((await visitor.get('/b2b/me', false)).status).toBe(401);
    // shop's token on shop's guard but b2b's path: not shop's callback route.
    const other = tokenOf(GATE);
    expect((await visitor.get(`/shop/me?logupToken=${other.logupToken}&isNewUser=true`, false)).status).toBe(400);
  });
});

describe('registering one gate name twice', () => {
  it.each([
    ['the default name', {}, {}],
    ['a given name', { name: 'shop' }, { name: 'shop' }],
  ])('fails the boot with a clear message (%s)', async (_label, first, second) => {
    const error = await Test.createTestingModule({
      imports: [LogupModule.forRoot({ ...GATE, ...first }), LogupModule.forRoot({ ...OTHER_GATE, ...second })],
    })
      .setLogger(new CaptureLogger())
      .compile()
      .then((moduleRef) => moduleRef.init())
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toMatch(/LogupModule\.forRoot\(\) was called twice with the name "(default|shop)"/);
  });

  it('boots two differently named gates', async () => {
    @Injectable()
    class Consumer {
      constructor(
        readonly logup: LogupService,
        @InjectLogup('b2b') readonly b2b: LogupService,
      ) {}
    }
    const moduleRef = await Test.createTestingModule({
      imports: [LogupModule.forRoot({ ...GATE }), LogupModule.forRoot({ ...OTHER_GATE, name: 'b2b' })],
      providers: [Consumer],
    })
      .setLogger(new CaptureLogger())
      .compile();
    const app = await moduleRef.init();
    const consumer = app.get(Consumer);
    expect(consumer.logup.toJSON()).toMatchObject({ idGate: GATE.idGate });
    expect(consumer.b2b.toJSON()).toMatchObject({ idGate: OTHER_GATE.idGate });
    await app.close();
  });
});
