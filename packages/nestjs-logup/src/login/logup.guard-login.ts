import { HttpException, InternalServerErrorException, Logger } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { LogupError } from '../errors/logup.errors.js';
import { applyLogupHttpAnswer, logupHttpAnswerOf } from '../errors/logup.http-mapping.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import type { LogupService } from '../logup.service.js';
import type { LogupSubscription } from '../logup.subscription.js';
import type { LogupConfig } from '../options/logup-module-options.interface.js';
import {
  hasSession,
  newLoginValue,
  readLogin,
  renewedLogin,
  tokenHashOf,
  writeLogin,
  type LogupSessionValue,
} from '../session/logup.session.js';
import { persistOrUnavailable } from '../session/logup.session-store.js';
import { callbackAnswersOf, verifiedCallbackSubscription } from './logup.callback.js';
import { loginOfRepeat, recordCallback } from './logup.callback-repeat.js';
import { LogupAccountSwitchException, LogupNotVerifiedException } from './logup.exceptions.js';
import type { LogupLoginHandler } from './logup.login-handler.js';
import { attachLogin, attachUser } from './logup.request.js';

type Request = Record<string, unknown>;

/**
 * The login half of `LogupGuard`: the callback (repeat check, verification, account
 * switch, the app's login handler, the session write) and the login restored from the
 * session, as protected hooks a subclass of `LogupGuard` may override. The route
 * decisions (public, callback route, other gates, unauthenticated) are in `LogupGuard`.
 */
export abstract class LogupGuardLogin {
  protected readonly logger = new Logger('LogupGuard');
  #warnedNoSession = false;

  constructor(
    protected readonly reflector: Reflector,
    protected readonly logup: LogupService,
    protected readonly config: LogupConfig,
    protected readonly loginHandler?: LogupLoginHandler,
  ) {}

  /**
   * The callback: validate, check the login binding, verify, refuse an account switch,
   * log in. The same callback repeated by the browser that made it (its session holds
   * the login of this token, or presents the pending login the first one claimed)
   * answers as the first did, without a second verification.
   */
  protected async handleCallback(request: Request, query: Record<string, unknown>, response: unknown): Promise<void> {
    const token = query[this.config.tokenQueryParam];
    const tokenHash = typeof token === 'string' ? tokenHashOf(token) : undefined;
    // Read once: the repeat check and the account-switch check both look at it.
    const current = await readLogin(request, this.config);
    if (tokenHash && (await this.handleRepeatedCallback(request, tokenHash, current))) return;
    const settle = tokenHash ? recordCallback(request, this.config, tokenHash) : () => undefined;
    let login: LogupSessionValue | undefined;
    try {
      login = await this.verifyAndLogIn(request, query, response, tokenHash, current);
    } finally {
      settle(login);
    }
  }

  /** A repeat of a callback this browser already completed (or is completing): logs it in as the first did. */
  protected async handleRepeatedCallback(
    request: Request,
    tokenHash: string,
    current: LogupSessionValue | undefined,
  ): Promise<boolean> {
    let subscription: LogupSubscription | undefined;
    if (current?.tokenHash === tokenHash) {
      subscription = this.subscriptionOfLogin(current);
    } else {
      const value =
        renewedLogin(request, this.config, tokenHash) ?? (await loginOfRepeat(request, this.config, tokenHash));
      if (!value) return false;
      await this.persisting(request, () => writeLogin(request, this.config, value));
      // Read back: a login logged out or expired since the first callback is not restored.
      subscription = await this.restoreFromSession(request);
    }
    if (!subscription) return false;
    attachLogin(request, this.config.name, subscription);
    if (this.loginHandler?.onRequest) {
      attachUser(request, this.config.name, await this.loginHandler.onRequest(subscription, request));
    }
    return true;
  }

  /** The callback's steps after the repeat check; resolves to the login written (undefined without a session). */
  protected async verifyAndLogIn(
    request: Request,
    query: Record<string, unknown>,
    response: unknown,
    tokenHash: string | undefined,
    current: LogupSessionValue | undefined,
  ): Promise<LogupSessionValue | undefined> {
    const subscription = await verifiedCallbackSubscription(request, query, response, {
      config: this.config,
      logup: this.logup,
      logger: this.logger,
      answers: callbackAnswersOf(this),
      loggedInAs: () => Promise.resolve(current?.idSubscription),
    });
    let user: unknown;
    if (this.loginHandler) {
      try {
        user = await this.loginHandler.onLogin({
          subscription,
          isNewUser: subscription.isNewUser,
          gate: this.config.name,
          request,
        });
      } catch (error) {
        throw this.handleLoginHandlerError(error);
      }
    }
    const { idSubscription, idActor, isNewUser } = subscription;
    const value = newLoginValue({ idSubscription, idActor, isNewUser, tokenHash });
    await this.logIn(request, subscription, value);
    if (this.loginHandler) attachUser(request, this.config.name, user);
    return hasSession(request) && this.config.sessionKey !== false ? value : undefined;
  }

  /** The answer when the app's login handler throws: its HttpException, or a 500; nobody is logged in. */
  protected handleLoginHandlerError(error: unknown): HttpException {
    if (error instanceof HttpException) return error;
    this.logger.error(`The LogUp login handler failed: ${error instanceof Error ? error.message : String(error)}`);
    return new InternalServerErrorException(LOGUP_MESSAGES.loginHandlerFailed);
  }

  /** Attaches the subscription and, when the request has a session, keeps the login there. */
  protected async logIn(
    request: Request,
    subscription: LogupSubscription,
    value: LogupSessionValue = newLoginValue(subscription),
  ): Promise<void> {
    attachLogin(request, this.config.name, subscription);
    if (this.config.sessionKey === false) return;
    if (!hasSession(request)) {
      if (!this.#warnedNoSession) this.logger.warn(LOGUP_MESSAGES.noSessionWarning);
      this.#warnedNoSession = true;
      return;
    }
    await this.persisting(request, () => writeLogin(request, this.config, value));
  }

  /** Runs a session write; a session store failure becomes a 503 (the cause is logged). */
  protected persisting(request: Request, write: () => Promise<void>): Promise<void> {
    return persistOrUnavailable(request, 'a login', write, this.logger);
  }

  /** The subscription of a visitor who logged in earlier in this session (not expired, not logged out), or undefined. */
  protected async restoreFromSession(request: Request): Promise<LogupSubscription | undefined> {
    const value = await readLogin(request, this.config);
    return value && this.subscriptionOfLogin(value);
  }

  /** The subscription a session login names, or undefined when its ids are not acceptable. */
  protected subscriptionOfLogin(value: LogupSessionValue): LogupSubscription | undefined {
    try {
      return this.logup.subscription(value.idSubscription, {
        idActor: typeof value.idActor === 'string' ? value.idActor : undefined,
        isNewUser: typeof value.isNewUser === 'boolean' ? value.isNewUser : undefined,
      });
    } catch {
      return undefined;
    }
  }

  /** The answer to a callback for another subscription while logged in (409). */
  protected handleAccountSwitch(): HttpException {
    return new LogupAccountSwitchException();
  }

  /** The answer when LogUp says the token does not prove a login. */
  protected handleNotVerified(errorMessage: string): HttpException {
    return new LogupNotVerifiedException(errorMessage);
  }

  /**
   * Maps a library error to the HTTP answer (`logupHttpAnswerOf`), logging what it
   * says to log and setting LogUp's `Retry-After`; unknown errors are rethrown.
   */
  protected handleError(error: unknown, response: unknown): HttpException {
    if (error instanceof LogupError) return applyLogupHttpAnswer(logupHttpAnswerOf(error), response, this.logger);
    throw error;
  }
}
