import { Controller, Get, Module, NotFoundException, Param, Post, Redirect, Req, UseGuards } from '@nestjs/common';
import { CurrentSubscription, InjectLogup, LogupGuard, LogupModule, LogupService } from 'nestjs-logup';

// Two gates, one per audience. Each has its own LogupService, its own guard, its
// callback path /logup/<name>/callback (the gate's redirect URL) and its session key
// logup.<name>: a visitor can be logged in to one and not the other.
@Controller()
export class GatesController {
  /** Each gate's service and LogUp login page, by gate name. */
  private readonly gates: Map<string, { logup: LogupService; loginUrl?: string }>;

  constructor(@InjectLogup('shop') shop: LogupService, @InjectLogup('b2b') b2b: LogupService) {
    this.gates = new Map([
      ['shop', { logup: shop, loginUrl: process.env.SHOP_LOGIN_URL }],
      ['b2b', { logup: b2b, loginUrl: process.env.B2B_LOGIN_URL }],
    ]);
  }

  // Each gate's "Log in" form POSTs to /logup/<gate>/login.
  @Post('logup/:gate/login')
  @Redirect()
  async login(@Param('gate') name: string, @Req() request: object) {
    const gate = this.gates.get(name);
    if (!gate) throw new NotFoundException();
    await gate.logup.startLogin(request);
    return { url: gate.loginUrl, statusCode: 303 };
  }

  @Get('logup/shop/callback')
  @UseGuards(LogupGuard.for('shop'))
  @Redirect('/shop/me', 303)
  shopCallback() {}

  @Get('logup/b2b/callback')
  @UseGuards(LogupGuard.for('b2b'))
  @Redirect('/b2b/me', 303)
  b2bCallback() {}

  @Get('shop/me')
  @UseGuards(LogupGuard.for('shop'))
  shopMe(@CurrentSubscription('idSubscription') idSubscription: string) {
    return { gate: 'shop', idSubscription };
  }

  @Get('b2b/me')
  @UseGuards(LogupGuard.for('b2b'))
  b2bMe(@CurrentSubscription('idSubscription') idSubscription: string) {
    return { gate: 'b2b', idSubscription };
  }
}

/** One gate, its credentials from <PREFIX>_ID_GATE and <PREFIX>_SECRET. */
const gate = (name: string, prefix: string) =>
  LogupModule.forRootAsync({
    name,
    useFactory: () => ({
      idGate: process.env[`${prefix}_ID_GATE`]!,
      secret: process.env[`${prefix}_SECRET`]!,
      baseUrl: process.env.LOGUP_BASE_URL,
    }),
  });

@Module({
  imports: [gate('shop', 'SHOP'), gate('b2b', 'B2B')],
  controllers: [GatesController],
})
export class GatesModule {}
