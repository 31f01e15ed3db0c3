import {
  HttpException,
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  Optional,
  type Type,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { browserAnswerFor } from './logup.browser-answers.js';
import { loginOfRepeat, recordCallback } from './logup.callback-repeat.js';
import { LOGUP_CONFIG, LOGUP_SERVICE } from '../logup.constants.js';
import { httpPairOf, pathOf } from './logup.request-context.js';
import { GUARD_GATE, gatesGuarding, isCallbackRoute, isPublicFor, type RouteTargets } from './logup.guard-routes.js';
import { LogupError } from '../errors/logup.errors.js';
import {
  LogupAccountSwitchException,
  LogupNotVerifiedException,
  LogupSessionUnavailableException,
  LogupLoginRedirectException,
  LogupTokenNotAcceptedException,
} from './logup.exceptions.js';
import { setResponseHeader, toLogupHttpException } from '../errors/logup.http-mapping.js';
import { LOGUP_LOGIN_HANDLER, type LogupLoginHandler } from './logup.login-handler.js';
import { verifyCallbackQuery } from './logup.callback.js';
import { isOptionalRoute } from './logup.optional.js';
import { guardSocket } from '../sockets/logup.ws-context.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import type { LogupConfig } from '../options/logup-module-options.interface.js';
import { LogupService } from '../logup.service.js';
import { attachLogin, attachUser, loginOf } from './logup.request.js';
import { abandonSessionWrite } from '../session/logup.session-store.js';
import {
  hasSession,
  newLoginValue,
  readLogin,
  renewedLogin,
  tokenHashOf,
  writeLogin,
  type LogupSessionValue,
} from '../session/logup.session.js';
import type { LogupSubscription } from '../logup.subscription.js';
import { getLogupConfigToken, getLogupServiceToken } from '../logup.injection.js';

export type { LogupSessionValue } from '../session/logup.session.js';
export { LogupLoginRedirectException } from './logup.exceptions.js';

type Request = Record<string, unknown>;

/** The guard classes of named gates, one per name. */
const namedGuards = new Map<string, Type<LogupGuard>>();

/**
 * Protects routes with LogUp.
 *
 * - On the callback route (`callbackPath`, default `/logup/callback`, or a route marked
 *   `@LogupCallback()`), a request carrying `?logupToken=...&isNewUser=...` is checked
 *   (400), tied to the login this browser started (`loginBinding`, 400), verified with
 *   LogUp (401 with LogUp's reason; 503/504/502 when LogUp cannot answer), refused if
 *   the browser is logged in as someone else (409), and logged in: the visitor's
 *   `LogupSubscription` is attached to the request (read it with `@Subscription()`) and
 *   their ids kept in `request.session`.
 * - Every other guarded route authenticates from the session only; a `logupToken`
 *   sent there is refused (400) and never verified.
 *
 * Works with `@UseGuards(LogupGuard)`, as a global `APP_GUARD` (opt routes out with
 * `@LogupPublic()`), and in GraphQL resolvers. Extend it and override the protected
 * hooks (`getRequest`, `getResponse`, `handle*`) to change an outcome.
 */
@Injectable()
export class LogupGuard implements CanActivate {
  protected readonly logger = new Logger('LogupGuard');
  #warnedNoSession = false;

  constructor(
    protected readonly reflector: Reflector,
    @Inject(LOGUP_SERVICE) protected readonly logup: LogupService,
    @Inject(LOGUP_CONFIG) protected readonly config: LogupConfig,
    @Optional() @Inject(LOGUP_LOGIN_HANDLER) protected readonly loginHandler?: LogupLoginHandler,
  ) {}

  /**
   * The guard of a named gate (`LogupModule.forRoot({ name })`): verifies against that
   * gate, on its callback path, with its own session key.
   * @example `@UseGuards(LogupGuard.for('b2b'))`
   */
  static for(name: string): Type<LogupGuard> {
    let guard = namedGuards.get(name);
    if (!guard) {
      @Injectable()
      class NamedLogupGuard extends LogupGuard {
        constructor(
          reflector: Reflector,
          @Inject(getLogupServiceToken(name)) logup: LogupService,
          @Inject(getLogupConfigToken(name)) config: LogupConfig,
          @Optional() @Inject(LOGUP_LOGIN_HANDLER) loginHandler?: LogupLoginHandler,
        ) {
          super(reflector, logup, config, loginHandler);
        }
      }
      Object.defineProperty(NamedLogupGuard, 'name', { value: `LogupGuard(${name})` });
      Object.defineProperty(NamedLogupGuard, GUARD_GATE, { value: name });
      guard = NamedLogupGuard;
      namedGuards.set(name, guard);
    }
    return guard;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const gate = this.config.name;
    if (this.isPublic(targets)) return true;
    const optional = isOptionalRoute(this.reflector, targets);
    if (context.getType() === 'rpc') throw new LogupError('LOGUP_UNSUPPORTED_CONTEXT', LOGUP_MESSAGES.rpcContext);
    if (context.getType() === 'ws') {
      const subscriptionFor = (value: LogupSessionValue) =>
        this.logup.subscription(value.idSubscription, { idActor: value.idActor, isNewUser: value.isNewUser });
      const onRequest = this.loginHandler?.onRequest?.bind(this.loginHandler);
      return guardSocket(context, { config: this.config, subscriptionFor, optional, onRequest });
    }
    const request = this.getRequest(context);
    // This gate's guard already ran on this request (e.g. a global APP_GUARD and the
    // route's own): verifying again would spend the single-use token twice.
    if (loginOf(request, gate)) return true;
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (query[this.config.tokenQueryParam] !== undefined) {
      if (this.isCallbackRoute(request, targets)) {
        const response = this.getResponse(context);
        try {
          await this.handleCallback(request, query, response);
        } catch (error) {
          throw this.handleBrowserCallbackError(request, response, error);
        }
        return true;
      }
      // Another gate's callback route (this guard is global): that gate's guard verifies.
      if (this.otherGatesGuarding(targets).length > 0) return true;
      throw this.handleTokenOffCallback(request);
    }
    const restored = await this.restoreFromSession(request);
    if (restored) {
      attachLogin(request, gate, restored);
      if (this.loginHandler?.onRequest) attachUser(request, gate, await this.loginHandler.onRequest(restored, request));
      return true;
    }
    if (optional) return true;
    throw this.handleUnauthenticated(request, this.getResponse(context));
  }

  /** Whether `@LogupPublic()` (every gate) or `@LogupPublic(thisGate)` marks the handler or its class. */
  protected isPublic(targets: RouteTargets): boolean {
    return isPublicFor(this.reflector, targets, this.config.name);
  }

  /**
   * Whether the request is on this gate's callback route: marked `@LogupCallback()`,
   * or matched by the router on `callbackPath` (the route's declared path, so a
   * trailing slash or a case the router accepts is the same route).
   */
  protected isCallbackRoute(request: Request, targets: RouteTargets): boolean {
    return isCallbackRoute(this.reflector, request, targets, this.config.callbackPath);
  }

  /** The other gates whose LogupGuard is on this route (`@UseGuards(LogupGuard.for(name))`). */
  protected otherGatesGuarding(targets: RouteTargets): string[] {
    return gatesGuarding(
      this.reflector,
      targets,
      (type) => type === LogupGuard || type.prototype instanceof LogupGuard,
    ).filter((name) => name !== this.config.name);
  }

  /** The request to authenticate (HTTP, or the GraphQL context's `req`). Override for other transports. */
  protected getRequest(context: ExecutionContext): Request {
    return httpPairOf(context).request;
  }

  /** The response to set headers on (Retry-After, Location). */
  protected getResponse(context: ExecutionContext): unknown {
    return httpPairOf(context).response;
  }

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
    let result;
    try {
      result = await verifyCallbackQuery(request, query, {
        config: this.config,
        logup: this.logup,
        logger: this.logger,
      });
    } catch (error) {
      throw this.handleError(error, response);
    }
    if (!result.verified) throw this.handleNotVerified(result.errorMessage);
    if (current && current.idSubscription !== result.subscription.idSubscription) throw this.handleAccountSwitch();
    let user: unknown;
    if (this.loginHandler) {
      try {
        user = await this.loginHandler.onLogin({
          subscription: result.subscription,
          isNewUser: result.subscription.isNewUser,
          gate: this.config.name,
          request,
        });
      } catch (error) {
        throw this.handleLoginHandlerError(error);
      }
    }
    const { idSubscription, idActor, isNewUser } = result.subscription;
    const value = newLoginValue({ idSubscription, idActor, isNewUser, tokenHash });
    await this.logIn(request, result.subscription, value);
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
  protected async persisting(request: Request, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.logger.error(LOGUP_MESSAGES.sessionStoreFailed('a login', error));
      abandonSessionWrite(request);
      throw new LogupSessionUnavailableException();
    }
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

  /** The answer to a `logupToken` on a route that is not the callback (400), with a log line for the developer. */
  protected handleTokenOffCallback(request: Request): HttpException {
    this.logger.warn(
      LOGUP_MESSAGES.tokenOffCallbackLog(this.config.tokenQueryParam, pathOf(request), this.config.callbackPath),
    );
    return new LogupTokenNotAcceptedException(this.config.tokenQueryParam);
  }

  /**
   * A refused callback opened by a browser (a GET asking for HTML): a 303 to
   * `callbackErrorUrl` (default `loginUrl`, else `/`) with `?logupError=<code>`, so the
   * visitor lands on a page of the site rather than a JSON body; API clients keep the
   * JSON answer. Other errors pass unchanged.
   */
  protected handleBrowserCallbackError(request: Request, response: unknown, error: unknown): unknown {
    const answer = browserAnswerFor(request, error, this.config);
    if (!answer) return error;
    setResponseHeader(response, 'Location', answer.location);
    return answer;
  }

  /** The answer to a callback for another subscription while logged in (409). */
  protected handleAccountSwitch(): HttpException {
    return new LogupAccountSwitchException();
  }

  /** The answer to a request with neither a callback token nor a logged-in session. */
  protected handleUnauthenticated(request: Request, response: unknown): HttpException {
    const header = (request.headers as Record<string, string | string[] | undefined> | undefined)?.accept;
    const accept = ([] as string[]).concat(header ?? []).join(',');
    if (this.config.loginUrl && request.method === 'GET' && accept.includes('text/html')) {
      setResponseHeader(response, 'Location', this.config.loginUrl);
      return new LogupLoginRedirectException(this.config.loginUrl);
    }
    return new UnauthorizedException(LOGUP_MESSAGES.loginRequired);
  }

  /** The answer when LogUp says the token does not prove a login. */
  protected handleNotVerified(errorMessage: string): HttpException {
    return new LogupNotVerifiedException(errorMessage);
  }

  /** Maps a library error to the HTTP answer (see `toLogupHttpException`); unknown errors are rethrown. */
  protected handleError(error: unknown, response: unknown): HttpException {
    if (error instanceof LogupError) return toLogupHttpException(error, response);
    throw error;
  }
}
