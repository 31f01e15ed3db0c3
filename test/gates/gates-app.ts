import { Controller, Get, Module, Param, Req, UseGuards } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogupEmulator } from 'logup-emulator';
import {
  CurrentSubscription,
  InjectLogup,
  LogupGuard,
  LogupModule,
  LogupPublic,
  LogupService,
  type LogupModuleOptions,
} from 'nestjs-logup';
import { startNestApp, type Platform, type RunningApp } from '../support/nest-app.js';
import { useExpressSession, useSecureSession } from '../support/sessions.js';

export const GATES = {
  default: { idGate: 'gate_main', secret: 'main-secret-value' },
  shop: { idGate: 'gate_shop', secret: 'shop-secret-value' },
  b2b: { idGate: 'gate_b2b', secret: 'b2b-secret-value' },
} as const;
export type GateName = keyof typeof GATES;

/** Login starts and callbacks for each gate, and routes guarded by several gates at once. */
@Controller()
class LoginController {
  constructor(
    private readonly main: LogupService,
    @InjectLogup('shop') private readonly shop: LogupService,
    @InjectLogup('b2b') private readonly b2b: LogupService,
  ) {}

  @LogupPublic()
  @Get('start/:gate')
  async start(@Param('gate') gate: GateName, @Req() request: object) {
    await { default: this.main, shop: this.shop, b2b: this.b2b }[gate].startLogin(request);
    return { started: gate };
  }

  // Both named gates' callbacks, under the global default guard: they must log visitors in.
  @Get('logup/shop/callback')
  @UseGuards(LogupGuard.for('shop'))
  shopCallback(@CurrentSubscription({ gate: 'shop', property: 'idSubscription' }) id: string) {
    return { gate: 'shop', id };
  }

  @Get('logup/b2b/callback')
  @UseGuards(LogupGuard.for('b2b'))
  b2bCallback(@CurrentSubscription({ gate: 'b2b', property: 'idSubscription' }) id: string) {
    return { gate: 'b2b', id };
  }

  @Get('logup/callback')
  mainCallback(@CurrentSubscription('idSubscription') id: string) {
    return { gate: 'default', id };
  }

  // Two gates' guards on one route: both logins are required.
  @LogupPublic('default')
  @Get('both')
  @UseGuards(LogupGuard.for('shop'), LogupGuard.for('b2b'))
  both(
    @CurrentSubscription({ gate: 'shop', property: 'idSubscription' }) shop: string,
    @CurrentSubscription({ gate: 'b2b', property: 'idSubscription' }) b2b: string,
  ) {
    return { shop, b2b };
  }

  // The global default guard and a named gate's: both required; each decorator names its gate.
  @Get('b2b-under-global')
  @UseGuards(LogupGuard.for('b2b'))
  b2bUnderGlobal(
    @CurrentSubscription({ gate: 'b2b', property: 'idSubscription' }) b2b: string,
    @CurrentSubscription({ gate: 'default', property: 'idSubscription' }) main: string,
  ) {
    return { b2b, main };
  }

  // Opted out of the default gate only: the b2b login alone suffices.
  @LogupPublic('default')
  @Get('b2b-only')
  @UseGuards(LogupGuard.for('b2b'))
  b2bOnly(@CurrentSubscription('idSubscription') b2b: string) {
    return { b2b };
  }

  // Two gates on the request and no gate named: a developer error, never the wrong gate's DB.
  @Get('ambiguous')
  @UseGuards(LogupGuard.for('b2b'))
  ambiguous(@CurrentSubscription('idSubscription') id: string) {
    return { id };
  }
}

/** A shop-guarded controller with a b2b-guarded method: both logins are required there. */
@LogupPublic('default')
@UseGuards(LogupGuard.for('shop'))
@Controller('shop')
class ShopController {
  @Get('me')
  me(@CurrentSubscription({ gate: 'shop', property: 'idSubscription' }) id: string) {
    return { shop: id };
  }

  @Get('b2b-area')
  @UseGuards(LogupGuard.for('b2b'))
  b2bArea(@CurrentSubscription({ gate: 'b2b', property: 'idSubscription' }) id: string) {
    return { b2b: id };
  }
}

/** The three gates' module options, against one emulator. */
export function gateOptions(emu: LogupEmulator, name: GateName, extra: Partial<LogupModuleOptions> = {}) {
  return LogupModule.forRoot({
    ...GATES[name],
    ...(name === 'default' ? {} : { name }),
    baseUrl: emu.url,
    ...extra,
  });
}

/** The app: a default gate as APP_GUARD, and the gates `shop` and `b2b`, on Express or Fastify. */
export async function gatesApp(emu: LogupEmulator, adapter: Platform): Promise<RunningApp> {
  @Module({
    imports: [gateOptions(emu, 'default'), gateOptions(emu, 'shop'), gateOptions(emu, 'b2b')],
    controllers: [LoginController, ShopController],
    providers: [{ provide: APP_GUARD, useClass: LogupGuard }],
  })
  class AppModule {}
  return adapter === 'fastify'
    ? startNestApp(AppModule, { platform: adapter, setup: (app: NestFastifyApplication) => useSecureSession(app) })
    : startNestApp(AppModule, { setup: (app: NestExpressApplication) => useExpressSession(app) });
}
