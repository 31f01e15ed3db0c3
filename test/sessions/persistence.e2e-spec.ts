// Every session write the library makes (pending login, login, logout) is persisted
// before the answer goes out, whatever the session library; a store failure is a 503;
// a login keeps what else the session holds (the app's cart, another gate's login).
import { Controller, Get, Module, Post, Redirect, Req, UseGuards } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogupEmulator } from 'logup-emulator';
import { CurrentSubscription, InjectLogup, LogupGuard, LogupModule, LogupService } from 'nestjs-logup';
import { Visitor } from '../support/browserless.js';
import { GATE, OTHER_GATE, email, emulator } from '../support/logup-fixture.js';
import { startNestApp, type RunningApp } from '../support/nest-app.js';
import { useCookieSession, useExpressSession, useFastifySession, useSecureSession } from '../support/sessions.js';
import { SlowExpressStore, SlowFastifyStore, storeControl, type StoreControl } from './slow-stores.js';

type Kind = 'express-session' | 'cookie-session' | '@fastify/session' | '@fastify/secure-session';
type AnySession = { get?(key: string): unknown; set?(key: string, value: unknown): void } & Record<string, unknown>;

const put = (request: { session: AnySession }, key: string, value: unknown) =>
  typeof request.session.set === 'function' ? request.session.set(key, value) : (request.session[key] = value);
const get = (request: { session: AnySession }, key: string) =>
  typeof request.session.get === 'function' ? request.session.get(key) : request.session[key];

@Controller()
class AppController {
  constructor(
    private readonly logup: LogupService,
    @InjectLogup('partner') private readonly partner: LogupService,
  ) {}

  @Post('cart')
  cart(@Req() request: { session: AnySession }) {
    put(request, 'cart', ['book']);
    put(request, 'locale', 'it');
    return { ok: true };
  }

  @Get('start')
  async start(@Req() request: object) {
    await this.logup.startLogin(request);
    return { started: true };
  }

  @Get('partner/start')
  async partnerStart(@Req() request: object) {
    await this.partner.startLogin(request);
    return { started: true };
  }

  // As the README's: a 303 with an empty body, which a client takes as complete at its headers.
  @Get('logup/callback')
  @UseGuards(LogupGuard)
  @Redirect('/me', 303)
  callback() {}

  @Get('logup/partner/callback')
  @UseGuards(LogupGuard.for('partner'))
  @Redirect('/partner/me', 303)
  partnerCallback() {}

  @Get('me')
  @UseGuards(LogupGuard)
  me(@CurrentSubscription('idSubscription') id: string, @Req() request: { session: AnySession }) {
    return { id, cart: get(request, 'cart') ?? null, locale: get(request, 'locale') ?? null };
  }

  @Get('partner/me')
  @UseGuards(LogupGuard.for('partner'))
  partnerMe(@CurrentSubscription({ gate: 'partner', property: 'idSubscription' }) id: string) {
    return { id };
  }

  @Post('logout')
  async logout(@Req() request: object) {
    return { ended: await this.logup.logout(request) };
  }
}

async function appOn(emu: LogupEmulator, kind: Kind, control: StoreControl): Promise<RunningApp> {
  @Module({
    imports: [
      LogupModule.forRoot({ ...GATE, baseUrl: emu.url }),
      // Another gate under a custom key (not logup.<name>): its login must survive the default gate's.
      LogupModule.forRoot({ ...OTHER_GATE, name: 'partner', baseUrl: emu.url, sessionKey: 'partnerLogin' }),
    ],
    controllers: [AppController],
  })
  class AppModule {}
  if (kind === 'express-session' || kind === 'cookie-session') {
    return startNestApp(AppModule, {
      setup: (app: NestExpressApplication) =>
        kind === 'express-session'
          ? useExpressSession(app, { store: new SlowExpressStore(control) })
          : useCookieSession(app),
    });
  }
  return startNestApp(AppModule, {
    platform: 'fastify',
    setup: (app: NestFastifyApplication) =>
      kind === '@fastify/session'
        ? useFastifySession(app, { store: new SlowFastifyStore(control), saveUninitialized: false })
        : useSecureSession(app),
  });
}

let emu: LogupEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(() => emu?.stop());

const KINDS: Kind[] = ['express-session', 'cookie-session', '@fastify/session', '@fastify/secure-session'];

/** Registers hooks that start the app on `kind` with a store the test controls (60 ms a write, not failing, by default). */
function withPersistenceApp(kind: Kind) {
  const control = storeControl();
  const app = {} as RunningApp;
  beforeAll(async () => Object.assign(app, await appOn(emu, kind, control)));
  afterAll(() => app.close?.());
  beforeEach(() => {
    control.delayMs = 60;
    control.failing = false;
  });
  return { control, app };
}

/** A callback path and query with a fresh login of `idGate`. */
const callback = (idGate: string = GATE.idGate, path = '/logup/callback') =>
  `${path}?logupToken=${emu.login({ idGate, email: email('persist') }).logupToken}&isNewUser=false`;

describe.each(KINDS)('session writes on %s: the login', (kind) => {
  const { app } = withPersistenceApp(kind);

  it.each([true, false])(
    'logs in before the answer goes out: the next request is logged in at once (JSON client: %s)',
    async (json) => {
      const visitor = new Visitor(app.url);
      expect((await visitor.get('/start', !json)).status).toBe(200);
      // As a browser does: follow the 303 as soon as its headers arrive, before its body ends.
      const res = await fetch(`${app.url}${callback()}`, {
        redirect: 'manual',
        headers: { cookie: visitor.cookieHeader(), accept: json ? 'application/json' : 'text/html' },
      });
      expect(res.status).toBe(303);
      visitor.cookies.take(res);
      const me = await visitor.get('/me', !json);
      await res.text();
      expect(me.status).toBe(200);
    },
  );
});

describe.each(KINDS)("session writes on %s: the pending login, the logout, and the app's own data", (kind) => {
  const { app } = withPersistenceApp(kind);

  it('keeps the pending login, the logout and the revocation before answering', async () => {
    const visitor = new Visitor(app.url);
    await visitor.get('/start', false);
    expect((await visitor.get(callback(), false)).status).toBe(303);
    const copy = new Visitor(app.url).setCookieHeader(visitor.cookieHeader());
    expect(JSON.parse((await visitor.request('POST', '/logout', { html: false })).body)).toEqual({ ended: true });
    expect((await visitor.get('/me', false)).status).toBe(401);
    expect((await copy.get('/me', false)).status).toBe(401);
  });

  it("keeps the app's own session data and another gate's login across the login", async () => {
    const visitor = new Visitor(app.url);
    await visitor.request('POST', '/cart', { html: false });
    await visitor.get('/partner/start', false);
    expect((await visitor.get(callback(OTHER_GATE.idGate, '/logup/partner/callback'), false)).status).toBe(303);
    const partner = JSON.parse((await visitor.get('/partner/me', false)).body).id as string;
    await visitor.get('/start', false);
    expect((await visitor.get(callback(), false)).status).toBe(303);
    const me = JSON.parse((await visitor.get('/me', false)).body);
    expect(me).toMatchObject({ cart: ['book'], locale: 'it' });
    expect(JSON.parse((await visitor.get('/partner/me', false)).body)).toEqual({ id: partner });
  });
});

// The session libraries that write through a store.
describe.each<Kind>(['express-session', '@fastify/session'])('session store failures on %s', (kind) => {
  const { control, app } = withPersistenceApp(kind);

  it('answers 503, not 500, when the session store fails at the login start, the login or the logout', async () => {
    const visitor = new Visitor(app.url);
    control.failing = true;
    const start = await visitor.get('/start', false);
    expect(start.status).toBe(503);
    expect(JSON.parse(start.body).message).toBe('Your session could not be saved right now. Please try again shortly.');
    control.failing = false;
    await visitor.get('/start', false);
    control.failing = true;
    expect((await visitor.get(callback(), false)).status).toBe(503);
    control.failing = false;
    await visitor.get('/start', false);
    expect((await visitor.get(callback(), false)).status).toBe(303);
    control.failing = true;
    expect((await visitor.request('POST', '/logout', { html: false })).status).toBe(503);
  });
});
