import { Injectable } from '@nestjs/common';
import type { LogupLoginHandler, LogupSubscription, LogupVerifiedSubscription } from 'nestjs-logup';

/** The app's own user, linked to a LogUp subscription. */
export interface User {
  id: number;
  idSubscription: string;
  createdAtLogin: boolean;
}

// LogupGuard calls onLogin on the callback, after LogUp verified the token and before
// the session is written: throwing refuses the login. Here the users table is a Map.
@Injectable()
export class UsersLoginHandler implements LogupLoginHandler<User> {
  private readonly users = new Map<string, User>();

  onLogin({ subscription, isNewUser }: { subscription: LogupVerifiedSubscription; isNewUser: boolean }): User {
    const existing = this.users.get(subscription.idSubscription);
    if (existing && !isNewUser) return { ...existing, createdAtLogin: false };
    const user = { id: this.users.size + 1, idSubscription: subscription.idSubscription, createdAtLogin: true };
    this.users.set(subscription.idSubscription, user);
    return user;
  }

  // Every later guarded request: the user of the visitor the session holds.
  onRequest(subscription: LogupSubscription): User | undefined {
    return this.users.get(subscription.idSubscription);
  }
}
