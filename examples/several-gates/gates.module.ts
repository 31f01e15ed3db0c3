import { Controller, Get, Module, Post, Redirect, Req, UseGuards } from '@nestjs/common';
import { CurrentSubscription, InjectLogup, LogupGuard, LogupModule, LogupService } from 'nestjs-logup';

// Two gates, one per audience. Each has its own LogupService, its own guard, its
// callback path /logup/<name>/callback (the gate's redirect URL) and its session key
// logup.<name>: a visitor can be logged in to one and not the other.
@Controller()
export class GatesController {
  constructor(
    @InjectLogup('shop') private readonly shop: LogupService,
    @InjectLogup('b2b') private readonly b2b: LogupService,
  ) {}

  @Post('logup/shop/login')
  @Redirect()
  async shopLogin(@Req() request: object) {
    await this.shop.startLogin(request);
    return { url: process.env.SHOP_LOGIN_URL, statusCode: 303 };
  }

  @Post('logup/b2b/login')
  @Redirect()
  async b2bLogin(@Req() request: object) {
    await this.b2b.startLogin(request);
    return { url: process.env.B2B_LOGIN_URL, statusCode: 303 };
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

@Module({
  imports: [
    LogupModule.forRootAsync({
      name: 'shop',
      useFactory: () => ({
        idGate: process.env.SHOP_ID_GATE!,
        secret: process.env.SHOP_SECRET!,
        baseUrl: process.env.LOGUP_BASE_URL,
      }),
    }),
    LogupModule.forRootAsync({
      name: 'b2b',
      useFactory: () => ({
        idGate: process.env.B2B_ID_GATE!,
        secret: process.env.B2B_SECRET!,
        baseUrl: process.env.LOGUP_BASE_URL,
      }),
    }),
  ],
  controllers: [GatesController],
})
export class GatesModule {}
