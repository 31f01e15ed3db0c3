import {
  BadRequestException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { validateCallbackQuery } from './logup-callback.query.js';
import { LOGUP_CONFIG, LOGUP_PUBLIC_KEY, LOGUP_REQUEST_PROPERTY } from './logup.constants.js';
import { subscriptionOf } from './logup.decorators.js';
import { LogupError } from './logup.errors.js';
import { setResponseHeader, toLogupHttpException } from './logup.http-errors.js';
import type { LogupConfig } from './logup-module-options.interface.js';
import { LogupService } from './logup.service.js';
import { hasSession, readSession, regenerateSession, writeSession } from './logup.session.js';
import type { LogupSubscription } from './logup.subscription.js';

/** What the guard keeps in the session: ids only, never tokens or the DB. */
export interface LogupSessionValue {
  idSubscription: string;
  idActor?: string;
  isNewUser?: boolean;
}

/** Sends an unauthenticated browser to the configured `loginUrl` (303 See Other). */
export class LogupLoginRedirectException extends HttpException {
  constructor(readonly location: string) {
    super({ statusCode: HttpStatus.SEE_OTHER, message: 'Log in with LogUp first', location }, HttpStatus.SEE_OTHER);
  }
}

/**
 * Protects routes with LogUp. On a request carrying `?logupToken=...&isNewUser=...`
 * it validates the input (400), verifies the token with LogUp (401 with LogUp's
 * reason when not verified; 503/504/502 when LogUp cannot answer), attaches the
 * visitor's `LogupSubscription` to the request (read it with `@Subscription()`)
 * and keeps the visitor's ids in `request.session` when there is one. Later
 * requests are accepted from that session. Works with `@UseGuards(LogupGuard)`
 * and as a global `APP_GUARD` (opt routes out with `@LogupPublic()`).
 *
 * Extend it and override the protected hooks to change an outcome.
 */
@Injectable()
export class LogupGuard implements CanActivate {
  constructor(
    protected readonly reflector: Reflector,
    protected readonly logup: LogupService,
    @Inject(LOGUP_CONFIG) protected readonly config: LogupConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(LOGUP_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    if (context.getType() !== 'http') {
      throw new LogupError('LOGUP_UNSUPPORTED_CONTEXT', 'LogupGuard protects HTTP routes only');
    }
    const http = context.switchToHttp();
    const request = http.getRequest<Record<string, unknown>>();
    const response = http.getResponse<unknown>();
    // An earlier LogupGuard (e.g. a global APP_GUARD) already verified this request:
    // verifying again would spend the single-use token twice.
    if (subscriptionOf(request)) return true;
    const query = (request.query ?? {}) as Record<string, unknown>;

    if (query[this.config.tokenQueryParam] !== undefined) {
      const subscription = await this.verifyCallback(query, response);
      await this.logIn(request, subscription);
      return true;
    }
    const restored = this.restoreFromSession(request);
    if (restored) {
      request[LOGUP_REQUEST_PROPERTY] = restored;
      return true;
    }
    throw this.handleUnauthenticated(request, response);
  }

  /** Validates the callback query and verifies the token; throws the HTTP answer on failure. */
  protected async verifyCallback(query: Record<string, unknown>, response: unknown): Promise<LogupSubscription> {
    const input = validateCallbackQuery(query, {
      token: this.config.tokenQueryParam,
      isNewUser: this.config.isNewUserQueryParam,
    });
    if ('problems' in input) throw new BadRequestException(input.problems);
    let result;
    try {
      result = await this.logup.verify(input.logupToken, input.isNewUser);
    } catch (error) {
      throw this.handleError(error, response);
    }
    if (!result.verified) throw this.handleNotVerified(result.errorMessage);
    return result.subscription;
  }

  /** Attaches the subscription and, when the request has a session, keeps the visitor's ids there. */
  protected async logIn(request: Record<string, unknown>, subscription: LogupSubscription): Promise<void> {
    request[LOGUP_REQUEST_PROPERTY] = subscription;
    if (this.config.sessionKey === false || !hasSession(request)) return;
    await regenerateSession(request);
    const value: LogupSessionValue = { idSubscription: subscription.idSubscription };
    if (subscription.idActor !== undefined) value.idActor = subscription.idActor;
    if (subscription.isNewUser !== undefined) value.isNewUser = subscription.isNewUser;
    writeSession(request, this.config.sessionKey, value);
  }

  /** The subscription of a visitor who logged in earlier in this session, or undefined. */
  protected restoreFromSession(request: Record<string, unknown>): LogupSubscription | undefined {
    if (this.config.sessionKey === false) return undefined;
    const value = readSession(request, this.config.sessionKey) as Partial<LogupSessionValue> | undefined;
    if (typeof value?.idSubscription !== 'string') return undefined;
    try {
      return this.logup.subscription(value.idSubscription, {
        idActor: typeof value.idActor === 'string' ? value.idActor : undefined,
        isNewUser: typeof value.isNewUser === 'boolean' ? value.isNewUser : undefined,
      });
    } catch {
      return undefined;
    }
  }

  /** The answer to a request with neither a callback token nor a logged-in session. */
  protected handleUnauthenticated(request: Record<string, unknown>, response: unknown): HttpException {
    const header = (request.headers as Record<string, string | string[] | undefined> | undefined)?.accept;
    const accept = ([] as string[]).concat(header ?? []).join(',');
    if (this.config.loginUrl && request.method === 'GET' && accept.includes('text/html')) {
      setResponseHeader(response, 'Location', this.config.loginUrl);
      return new LogupLoginRedirectException(this.config.loginUrl);
    }
    return new UnauthorizedException('Log in with LogUp first');
  }

  /** The answer when LogUp says the token does not prove a login. */
  protected handleNotVerified(errorMessage: string): HttpException {
    return new UnauthorizedException({
      statusCode: HttpStatus.UNAUTHORIZED,
      error: 'Unauthorized',
      message: `LogUp did not verify this login (${errorMessage})`,
      errorMessage,
    });
  }

  /** Maps a library error to the HTTP answer (see `toLogupHttpException`); unknown errors are rethrown. */
  protected handleError(error: unknown, response: unknown): HttpException {
    if (error instanceof LogupError) return toLogupHttpException(error, response);
    throw error;
  }
}
