import type { LogupSubscription } from '../logup.subscription.js';
import type { LogupVerifiedSubscription } from '../logup.service.js';

/**
 * App code run by `LogupGuard` when a visitor logs in: link the LogUp visitor to the
 * app's own user (`isNewUser` true: create them; false: load them). What `onLogin`
 * returns is put on the request beside the subscription (read it with `@LogupUser()`).
 * If it throws, the visitor is not logged in (no session is written) and the guard
 * answers with the thrown `HttpException`, or a 500 "logging in failed" page.
 *
 * Provide it in the module of your callback controller (or globally):
 * `{ provide: LOGUP_LOGIN_HANDLER, useClass: UsersLoginHandler }`.
 */
export interface LogupLoginHandler<TUser = unknown> {
  onLogin(login: {
    subscription: LogupVerifiedSubscription;
    isNewUser: boolean;
    /** The gate's name (`'default'` unless `forRoot({ name })`). */
    gate: string;
    request: unknown;
  }): TUser | Promise<TUser>;
  /**
   * Optional: the app's user for a visitor restored from the session, on every later
   * guarded request. Without it, `@LogupUser()` is set on the callback only.
   */
  onRequest?(subscription: LogupSubscription, request: unknown): TUser | undefined | Promise<TUser | undefined>;
}

/** Injection token of the app's {@link LogupLoginHandler}. */
export const LOGUP_LOGIN_HANDLER = Symbol.for('nestjs-logup.login-handler');
