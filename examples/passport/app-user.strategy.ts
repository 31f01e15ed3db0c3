import { Injectable } from '@nestjs/common';
import type { LogupVerifiedSubscription } from 'nestjs-logup';
import { LogupStrategy } from 'nestjs-logup/passport';

/** The app's own user, as passport keeps it in the session. */
export interface AppUser {
  idSubscription: string;
  nickname: string;
  firstLogin: boolean;
}

// request.user is what validate() returns; null or false refuses the login (401).
@Injectable()
export class AppUserStrategy extends LogupStrategy {
  override validate(subscription: LogupVerifiedSubscription): AppUser | null {
    if (subscription.db?.banned === true) return null;
    return {
      idSubscription: subscription.idSubscription,
      nickname: String(subscription.db?.nickname ?? 'new visitor'),
      firstLogin: subscription.isNewUser,
    };
  }
}
