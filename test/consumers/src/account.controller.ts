import { Controller, Get, UseGuards } from '@nestjs/common';
import { LogupGuard, Subscription, type LogupSubscription } from 'nestjs-logup';

@Controller()
@UseGuards(LogupGuard)
export class AccountController {
  @Get('me')
  async me(@Subscription() subscription: LogupSubscription, @Subscription('idActor') idActor: string) {
    const db = await subscription.updateDb({ visits: Number(subscription.db?.visits ?? 0) + 1 });
    return { idSubscription: subscription.idSubscription, idActor, isNewUser: subscription.isNewUser, db };
  }
}
