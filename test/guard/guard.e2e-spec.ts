import { Controller, Get, HttpException, HttpStatus, Injectable, Module, Post, UseGuards } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  LogupCallback,
  LogupGuard,
  LogupModule,
  LogupPublic,
  Subscription,
  type LogupDb,
  type LogupSubscription,
} from 'nestjs-logup';
import { Visitor } from '../support/browserless.js';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE, email, emulator } from '../support/logup-fixture.js';
import { PLATFORMS, startNestApp, withEmulatorApp, type Platform } from '../support/nest-app.js';

@Controller()
class GlobalGuardController {
  @LogupPublic()
  @Get('public')
  open() {
    return { open: true };
  }

  @Get('logup/callback')
  callback(@Subscription() subscription: LogupSubscription) {
    return subscription;
  }

  @LogupCallback()
  @Get('elsewhere/done')
  marked(
    @Subscription('idActor') idActor: string,
    @Subscription('db') db: LogupDb,
    @Subscription('isNewUser') isNewUser: boolean,
  ) {
    return { idActor, db, isNewUser };
  }

  @Get('actor')
  actor(@Subscription('idActor') idActor: string) {
    return { idActor };
  }

  @LogupCallback()
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
  @LogupCallback()
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

/** Registers hooks for an app with LogupGuard as APP_GUARD and no sessions, on `platform`; and a callback query of a fresh login. */
function withGlobalGuardApp(platform: Platform) {
  const logger = new CapturingLogger();
  const ctx = withEmulatorApp((emu) => {
    @Module({
      imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, loginUrl: '/public', sessionKey: false })],
      controllers: [GlobalGuardController, PublicController, CustomController],
      providers: [{ provide: APP_GUARD, useClass: LogupGuard }],
    })
    class AppModule {}
    return startNestApp(AppModule, { platform, logger });
  });

  const token = (db?: LogupDb, isNewUser = true) =>
    `logupToken=${ctx.emu.login({ idGate: GATE.idGate, email: email(), db }).logupToken}&isNewUser=${isNewUser}`;
  return { logger, ctx, token };
}

describe.each(PLATFORMS)('LogupGuard without sessions on %s: guarded routes and the callback', (platform) => {
  const { ctx, token } = withGlobalGuardApp(platform);

  it('protects every route as APP_GUARD, except @LogupPublic() ones (handler or class)', async () => {
    const visitor = new Visitor(ctx.url);
    expect((await visitor.get('/public', false)).status).toBe(200);
    expect((await visitor.get('/open', false)).status).toBe(200);
    expect((await visitor.get('/actor', false)).status).toBe(401);
    expect((await visitor.request('POST', '/write', { html: false })).status).toBe(401);
  });

  it('sends browsers to loginUrl, but only for GETs that accept HTML', async () => {
    const visitor = new Visitor(ctx.url);
    const page = await visitor.get('/actor');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/public');
    expect((await visitor.request('POST', '/write')).status).toBe(401);
  });

  it('verifies on the callback path and on @LogupCallback() routes, handing the subscription to @Subscription()', async () => {
    const whole = await new Visitor(ctx.url).get(`/logup/callback?${token({ b: 'c' })}`, false);
    expect(whole.status).toBe(200);
    // toJSON: the public fields only.
    expect(Object.keys(JSON.parse(whole.body)).sort()).toEqual(['db', 'idActor', 'idSubscription', 'isNewUser']);
    const res = await new Visitor(ctx.url).get(`/elsewhere/done?${token({ a: 1 }, false)}`, false);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ idActor: expect.stringMatching(/^acr_/), db: { a: 1 }, isNewUser: false });
    const write = await new Visitor(ctx.url).request('POST', `/write?${token()}`, { html: false });
    expect(JSON.parse(write.body)).toEqual({ wrote: true });
  });
});

describe.each(PLATFORMS)('LogupGuard without sessions on %s: telling the developer', (platform) => {
  const { logger, ctx, token } = withGlobalGuardApp(platform);

  it('refuses a token on any other guarded route, without sending it to LogUp, and tells the developer', async () => {
    ctx.emu.resetStats();
    const res = await new Visitor(ctx.url).get(`/actor?${token()}`, false);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).message).toBe(
      'logupToken is accepted only on the LogUp callback route; this route authenticates from the session',
    );
    expect(ctx.emu.stats().verifications).toBe(0);
    expect(logger.lines.join('\n')).toContain(
      'A request to /actor carried logupToken, which LogupGuard verifies only on the callback route (/logup/callback',
    );
  });

  it('verifies once when the global guard and a route guard both apply', async () => {
    ctx.emu.resetStats();
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email() });
    const res = await new Visitor(ctx.url).get(`/custom?logupToken=${login.logupToken}&isNewUser=true`, false);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ id: login.idSubscription });
    expect(ctx.emu.stats().verifications).toBe(1);
  });

  it('explains @Subscription() on a route no guard protects', async () => {
    const res = await new Visitor(ctx.url).get('/open/misused', false);
    expect(res.status).toBe(500);
    expect(res.body).not.toContain('LogupGuard');
    expect(logger.lines.join('\n')).toContain(
      '@Subscription() found no LogUp subscription on PublicController.misused: protect the route with @UseGuards(LogupGuard)',
    );
  });
});

describe('a LogupGuard subclass', () => {
  it('changes an outcome through a protected hook', async () => {
    const emu = await emulator();
    @Module({
      imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, loginBinding: 'off' })],
      controllers: [CustomController],
      providers: [TeapotGuard],
    })
    class AppModule {}
    const app = await startNestApp(AppModule);
    try {
      const visitor = new Visitor(app.url);
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
