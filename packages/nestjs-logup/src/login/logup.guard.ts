import {
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
  type HttpException,
  type Type,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { LogupError } from '../errors/logup.errors.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import { LOGUP_CONFIG, LOGUP_SERVICE } from '../logup.constants.js';
import { getLogupConfigToken, getLogupServiceToken } from '../logup.injection.js';
import { LogupService } from '../logup.service.js';
import type { LogupConfig } from '../options/logup-module-options.interface.js';
import type { LogupSessionValue } from '../session/logup.session.js';
import { guardSocket } from '../sockets/logup.ws-context.js';
import { browserAnswerFor } from './logup.browser-answers.js';
import { LogupLoginRedirectException, LogupTokenNotAcceptedException } from './logup.exceptions.js';
import { LogupGuardLogin } from './logup.guard-login.js';
import { GUARD_GATE, gatesGuarding, isCallbackRoute, isPublicFor, type RouteTargets } from './logup.guard-routes.js';
import { LOGUP_LOGIN_HANDLER, type LogupLoginHandler } from './logup.login-handler.js';
import { isOptionalRoute } from './logup.optional.js';
import { attachLogin, attachUser, httpPairOf, loginOf, pathOf, setResponseHeader } from './logup.request.js';

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
export class LogupGuard extends LogupGuardLogin implements CanActivate {
  constructor(
    reflector: Reflector,
    @Inject(LOGUP_SERVICE) logup: LogupService,
    @Inject(LOGUP_CONFIG) config: LogupConfig,
    @Optional() @Inject(LOGUP_LOGIN_HANDLER) loginHandler?: LogupLoginHandler,
  ) {
    super(reflector, logup, config, loginHandler);
  }

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
}
