import { HttpStatus, Inject, Injectable, Logger, type HttpException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { LOGUP_CONFIG, LOGUP_SERVICE } from '../logup.constants.js';
import { LogupError } from '../errors/logup.errors.js';
import { LogupAccountSwitchException, LogupNotVerifiedException } from '../login/logup.exceptions.js';
import { applyLogupHttpAnswer, logupHttpAnswerOf } from '../errors/logup.http-mapping.js';
import { callbackAnswersOf, verifiedCallbackSubscription } from '../login/logup.callback.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import type { LogupConfig } from '../options/logup-module-options.interface.js';
import { LogupService, type LogupVerifiedSubscription } from '../logup.service.js';
import { attachLogin } from '../login/logup.request.js';
import { readLogin } from '../session/logup.session.js';

/** The name `LogupStrategy` registers with passport: `AuthGuard('logup')`. */
export const LOGUP_STRATEGY_NAME = 'logup';

/** What the strategy reads from a request: Express's `query`, `res`, `user` and `session`. */
export interface LogupCallbackRequest {
  query?: unknown;
  res?: unknown;
  user?: unknown;
  session?: unknown;
}

type Done = (error: unknown, user?: unknown, info?: unknown) => void;
type VerifyCallback = (subscription: LogupVerifiedSubscription, done: Done) => void;

/**
 * The passport side (internal): a `passport.Strategy` that keeps the verify callback
 * `PassportStrategy()` appends to its constructor arguments (it runs `validate()`).
 */
class LogupPassportStrategy extends passport.Strategy {
  override name = LOGUP_STRATEGY_NAME;

  constructor(readonly verifyLogup: VerifyCallback) {
    super();
  }
}

/**
 * A passport strategy for the LogUp callback, for apps built on `@nestjs/passport`:
 * `@UseGuards(AuthGuard('logup'))` on the callback route verifies it exactly as
 * `LogupGuard` does (the same query rules, 400; the same login binding to the pending
 * login `LogupService.startLogin()` put in the session, 400; LogUp's verification,
 * 401 with LogUp's reason, 503/504/502 when LogUp cannot answer; no switch of a
 * logged-in visitor to another subscription, 409), then `request.user` is what
 * `validate(subscription)` returns: the verified `LogupSubscription` unless overridden.
 * The subscription is also attached for `@CurrentSubscription()` on that route.
 *
 * Refusals reach passport as errors carrying the HTTP answer, so `AuthGuard`'s
 * default `handleRequest` rethrows them as they are; a request without a
 * `logupToken` at all fails (401), letting another strategy of a chain try.
 *
 * The strategy verifies; passport keeps the login: call `AuthGuard#logIn(request)`
 * with a `PassportSerializer` for passport sessions. Provide it beside `LogupModule`.
 * Imports `@nestjs/passport` and `passport` (optional peers): import it from
 * `nestjs-logup/passport`.
 * @example
 * `@Injectable() class AppLogupStrategy extends LogupStrategy { validate(s: LogupVerifiedSubscription) { return users.forSubscription(s); } }`
 */
@Injectable()
export class LogupStrategy extends PassportStrategy(LogupPassportStrategy, LOGUP_STRATEGY_NAME) {
  protected readonly logger = new Logger('LogupStrategy');
  // Property injection keeps the constructor free for subclasses' own dependencies.
  @Inject(LOGUP_SERVICE) protected readonly logup!: LogupService;
  @Inject(LOGUP_CONFIG) protected readonly config!: LogupConfig;

  /**
   * What becomes `request.user` (and what the app's `PassportSerializer` serializes).
   * Return `null` or `false` to refuse the login (401); a thrown error is the answer.
   * @returns the verified subscription, unless overridden.
   */
  validate(subscription: LogupVerifiedSubscription): unknown {
    return subscription;
  }

  /** Passport's entry point: runs the checks, then `validate()`, and reports the outcome to passport. */
  override authenticate(request: LogupCallbackRequest): void {
    // `this` is passport's per-request copy of the strategy, with success/fail/error.
    this.verifyCallback(request).then(
      (subscription) => {
        if (!subscription) return this.fail(LOGUP_MESSAGES.loginRequired, HttpStatus.UNAUTHORIZED);
        attachLogin(request, this.config.name, subscription);
        this.verifyLogup(subscription, (error, user, info) => {
          if (error) this.error(error);
          else if (!user) this.fail(info as string, HttpStatus.UNAUTHORIZED);
          else this.success(user, info as object | undefined);
        });
      },
      (error: unknown) => this.error(error),
    );
  }

  /**
   * The callback's checks and verification: the verified subscription, undefined
   * when the request carries no `logupToken`, or an `HttpException` thrown.
   */
  protected async verifyCallback(request: LogupCallbackRequest): Promise<LogupVerifiedSubscription | undefined> {
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (query[this.config.tokenQueryParam] === undefined) return undefined;
    return verifiedCallbackSubscription(request, query, request.res, {
      config: this.config,
      logup: this.logup,
      logger: this.logger,
      answers: callbackAnswersOf(this),
      loggedInAs: () => this.loggedInIdSubscription(request),
    });
  }

  /**
   * The subscription this browser is logged in as, if any: the `idSubscription` of
   * `request.user` (passport's session), else `LogupGuard`'s session value. Override
   * it when the app's user objects do not carry `idSubscription`.
   */
  protected async loggedInIdSubscription(request: LogupCallbackRequest): Promise<string | undefined> {
    const user = request.user as { idSubscription?: unknown } | undefined;
    if (typeof user?.idSubscription === 'string') return user.idSubscription;
    return (await readLogin(request, this.config))?.idSubscription;
  }

  /** The answer to a callback for another subscription while logged in (409). */
  protected handleAccountSwitch(): HttpException {
    return new LogupAccountSwitchException();
  }

  /** The answer when LogUp says the token does not prove a login (401, LogUp's reason in `errorMessage`). */
  protected handleNotVerified(errorMessage: string): HttpException {
    return new LogupNotVerifiedException(errorMessage);
  }

  /** Maps a library error to the HTTP answer (see `logupHttpAnswerOf`; logged here); other errors pass unchanged. */
  protected handleError(error: unknown, response: unknown): unknown {
    if (!(error instanceof LogupError)) return error;
    return applyLogupHttpAnswer(logupHttpAnswerOf(error), response, this.logger);
  }
}
