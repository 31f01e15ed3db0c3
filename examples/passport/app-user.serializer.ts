import { Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import type { AppUser } from './app-user.strategy.js';

type Done = (error: unknown, value?: unknown) => void;

// A small plain object is kept in the session as it is.
@Injectable()
export class AppUserSerializer extends PassportSerializer {
  serializeUser(user: AppUser, done: Done): void {
    done(null, { idSubscription: user.idSubscription, nickname: user.nickname, firstLogin: user.firstLogin });
  }

  deserializeUser(user: AppUser, done: Done): void {
    done(null, user);
  }
}
