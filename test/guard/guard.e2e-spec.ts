import { Controller, Get, HttpException, HttpStatus, Injectable, Module, Post, UseGuards } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { INestApplication } from '@nestjs/common';
import session from 'express-session';
import type { LogupEmulator } from 'logup-emulator';
import { LogupGuard, LogupModule, LogupPublic, Subscription, type LogupDb, type LogupSubscription } from 'nestjs-logup';
import { Visitor } from '../support/browserless.js';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE, email, emulator } from '../support/logup-fixture.js';

@Controller()
class GlobalGuardController {
  @LogupPublic()
  @Get('public')
  open() {
    return { open: true };
  }

  @Get('callback')
  callback(@Subscription() subscription: LogupSubscription) {
    return subscription;
  }

  @Get('actor')
  actor(
    @Subscription('idActor') idActor: string,
    @Subscription('db') db: LogupDb,
    @Subscription('isNewUser') isNewUser: boolean,
  ) {
    return { idActor, db, isNewUser };
  }

  @Post('write')
  async write(@Subscription() subscription: LogupSubscription) {
    return subscription.updateDb({ wrote: true });
  }
}

@LogupPublic()
@Controller('open')
class PublicController {
  @Get()
  hello() {
    return { hello: 'world' };
  }

  @Get('misused')
  misused(@Subscription() subscription: LogupSubscription) {
    return subscription;
  }
}

/** A subclass changes an outcome through a protected hook. */
@Injectable()
class TeapotGuard extends LogupGuard {
  protected override handleNotVerified(errorMessage: string): HttpException {
    return new HttpException(`teapot: ${errorMessage}`, HttpStatus.I_AM_A_TEAPOT);
  }
}

@Controller('custom')
class CustomController {
  @UseGuards(TeapotGuard)
  @Get()
  get(@Subscription('idSubscription') id: string) {
    return { id };
  }
}

class CapturingLogger extends CaptureLogger {
  lines: string[] = [];
  constructor() {
    super((line) => this.lines.push(line));
  }
}

describe.each(['express', 'fastify'] as const)('LogupGuard on %s', (adapter) => {
  let emu: LogupEmulator;
  let app: INestApplication;
  let base: string;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    emu = await emulator();
    @Module({
      imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, loginUrl: '/public', sessionKey: false })],
      controllers: [GlobalGuardController, PublicController, CustomController],
      providers: [{ provide: APP_GUARD, useClass: LogupGuard }],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(), {
      logger,
    });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await emu?.stop();
  });

  const token = (db?: LogupDb, isNewUser = true) =>
    `logupToken=${emu.login({ idGate: GATE.idGate, email: email(), db }).logupToken}&isNewUser=${isNewUser}`;

  it('protects every route as APP_GUARD, except @LogupPublic() ones (handler or class)', async () => {
    const visitor = new Visitor(base);
    expect((await visitor.get('/public', false)).status).toBe(200);
    expect((await visitor.get('/open', false)).status).toBe(200);
    expect((await visitor.get('/actor', false)).status).toBe(401);
    expect((await visitor.request('POST', '/write', { html: false })).status).toBe(401);
  });

  it('sends browsers to loginUrl, but only for GETs that accept HTML', async () => {
    const visitor = new Visitor(base);
    const page = await visitor.get('/actor');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/public');
    expect((await visitor.request('POST', '/write')).status).toBe(401);
  });

  it('hands the verified subscription to @Subscription(), or one property of it', async () => {
    const res = await new Visitor(base).get(`/actor?${token({ a: 1 }, false)}`, false);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ idActor: expect.stringMatching(/^acr_/), db: { a: 1 }, isNewUser: false });
    const whole = await new Visitor(base).get(`/callback?${token({ b: 'c' })}`, false);
    // toJSON: the public fields only.
    expect(Object.keys(JSON.parse(whole.body)).sort()).toEqual(['db', 'idActor', 'idSubscription', 'isNewUser']);
    const write = await new Visitor(base).request('POST', `/write?${token()}`, { html: false });
    expect(JSON.parse(write.body)).toEqual({ wrote: true });
  });

  it('without a session, each request needs its own token', async () => {
    const visitor = new Visitor(base);
    expect((await visitor.get(`/actor?${token()}`, false)).status).toBe(200);
    expect((await visitor.get('/actor', false)).status).toBe(401);
  });

  it('verifies once when the global guard and a route guard both apply', async () => {
    emu.resetStats();
    const login = emu.login({ idGate: GATE.idGate, email: email() });
    const res = await new Visitor(base).get(`/custom?logupToken=${login.logupToken}&isNewUser=true`, false);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ id: login.idSubscription });
    expect(emu.stats().verifications).toBe(1);
  });

  it('explains @Subscription() on a route no guard protects', async () => {
    const res = await new Visitor(base).get('/open/misused', false);
    expect(res.status).toBe(500);
    expect(res.body).not.toContain('LogupGuard');
    expect(logger.lines.join('\n')).toContain(
      '@Subscription() found no LogUp subscription on PublicController.misused: protect the route with @UseGuards(LogupGuard)',
    );
  });
});

describe('LogupGuard with express-session', () => {
  let emu: LogupEmulator;
  let app: NestExpressApplication;
  let base: string;

  beforeAll(async () => {
    emu = await emulator();
    @Controller()
    class MeController {
      @UseGuards(LogupGuard)
      @Get('me')
      me(@Subscription() subscription: LogupSubscription) {
        return {
          idSubscription: subscription.idSubscription,
          idActor: subscription.idActor,
          isNewUser: subscription.isNewUser,
        };
      }

      @Get('visit')
      visit() {
        return { ok: true };
      }
    }
    @Module({ imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url })], controllers: [MeController] })
    class AppModule {}
    app = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), {
      logger: new CaptureLogger(),
    });
    app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: true, name: 'sid' }));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await emu?.stop();
  });

  it('keeps the visitor logged in, under a new session id (no fixation)', async () => {
    const visitor = new Visitor(base);
    const before = (await visitor.get('/visit', false)).setCookies.find((c) => c.startsWith('sid='));
    expect(before).toBeDefined();
    const login = emu.login({ idGate: GATE.idGate, email: email() });
    const first = await visitor.get(`/me?logupToken=${login.logupToken}&isNewUser=false`, false);
    expect(first.status).toBe(200);
    const after = first.setCookies.find((c) => c.startsWith('sid='));
    expect(after).toBeDefined();
    expect(after!.split(';')[0]).not.toBe(before!.split(';')[0]);
    emu.resetStats();
    const later = await visitor.get('/me', false);
    expect(later.status).toBe(200);
    expect(JSON.parse(later.body)).toEqual({
      idSubscription: login.idSubscription,
      idActor: login.idActor,
      isNewUser: false,
    });
    // Restored from the session: no new verification.
    expect(emu.stats().verifications).toBe(0);
  });
});

describe('a LogupGuard subclass', () => {
  it('changes an outcome through a protected hook', async () => {
    const emu = await emulator();
    @Module({
      imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url })],
      controllers: [CustomController],
      providers: [TeapotGuard],
    })
    class AppModule {}
    const app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: new CaptureLogger() });
    try {
      await app.listen(0, '127.0.0.1');
      const visitor = new Visitor((await app.getUrl()).replace('[::1]', '127.0.0.1'));
      const login = emu.login({ idGate: GATE.idGate, email: email() });
      expect((await visitor.get(`/custom?logupToken=${login.logupToken}&isNewUser=true`, false)).status).toBe(200);
      const again = await visitor.get(`/custom?logupToken=${login.logupToken}&isNewUser=true`, false);
      expect(again.status).toBe(418);
      expect(again.body).toContain('teapot: INVALID_LOGUP_TOKEN');
    } finally {
      await app.close();
      await emu.stop();
    }
  });
});
