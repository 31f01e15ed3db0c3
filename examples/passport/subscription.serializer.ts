import { Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import { LogupService, type LogupSubscription } from 'nestjs-logup';

type Done = (error: unknown, value?: unknown) => void;

// With LogupStrategy as it is, request.user is the LogupSubscription: keep its ids
// in the session and make it a LogupSubscription again (DB calls included).
@Injectable()
export class SubscriptionSerializer extends PassportSerializer {
  constructor(private readonly logup: LogupService) {
    super();
  }

  serializeUser(subscription: LogupSubscription, done: Done): void {
    done(null, { idSubscription: subscription.idSubscription, idActor: subscription.idActor });
  }

  deserializeUser(ids: { idSubscription: string; idActor?: string }, done: Done): void {
    try {
      done(null, this.logup.subscription(ids.idSubscription, { idActor: ids.idActor }));
    } catch {
      done(null, false); // not a valid id: passport drops the login, the visitor logs in again
    }
  }
}
