import {
  HttpException,
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, throwError, type Observable } from 'rxjs';
import { LOGUP_CONFIG } from '../logup.constants.js';
import { LogupError } from './logup.errors.js';
import { toLogupHttpException } from './logup.http-mapping.js';
import { LOGUP_MESSAGES } from './logup.messages.js';
import type { LogupConfig } from '../options/logup-module-options.interface.js';

/** The GraphQL `extensions.code` for each HTTP status the mapping answers. */
const GRAPHQL_CODES: Readonly<Record<number, string>> = {
  400: 'BAD_USER_INPUT',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/**
 * A library error as a GraphQL error: graphql-js copies `extensions` from the
 * error a resolver throws, so the client gets `extensions.code` (e.g.
 * `BAD_USER_INPUT`) and `extensions.status`, with HTTP 200 and `data: null`.
 */
export class LogupGraphqlError extends Error {
  readonly extensions: { code: string; status: number; logupCode: string };

  constructor(http: HttpException, error: LogupError) {
    const body = http.getResponse() as { message?: string | string[] } | string;
    const message = typeof body === 'string' ? body : ([] as string[]).concat(body.message ?? http.message).join('; ');
    super(message);
    this.name = 'LogupGraphqlError';
    const status = http.getStatus();
    this.extensions = { code: GRAPHQL_CODES[status] ?? 'INTERNAL_SERVER_ERROR', status, logupCode: error.code };
  }
}

let warnedRawSession = false;

/**
 * Fastify with an Express session middleware added by `app.use()`: the session
 * lands on `request.raw`, where neither the guard nor `startLogin()` look, and every
 * callback would be refused later. Says so once, naming the fix.
 */
function warnAboutRawSession(request: { session?: unknown; raw?: { session?: unknown } } | undefined): void {
  if (warnedRawSession || !request || request.session !== undefined || request.raw?.session === undefined) return;
  warnedRawSession = true;
  new Logger('LogupModule').warn(LOGUP_MESSAGES.rawSession);
}

/**
 * Registered by `LogupModule` for the whole app (`APP_INTERCEPTOR`): a library
 * error thrown by a route handler or resolver (`updateDb` with bad input, LogUp
 * down, ...) becomes the answer `toLogupHttpException` gives — 400 with the
 * library's message, 503 / 504 / 502 when LogUp cannot answer — before the app's
 * own exception filters see it (they get an `HttpException` whose `cause` is the
 * library error). In a GraphQL resolver it becomes a {@link LogupGraphqlError}.
 * Other errors pass unchanged. Off with the option `mapErrors: false` (on every
 * `LogupModule` registration of the app).
 */
@Injectable()
export class LogupErrorInterceptor implements NestInterceptor {
  constructor(@Inject(LOGUP_CONFIG) private readonly config: LogupConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') warnAboutRawSession(context.switchToHttp().getRequest());
    if (!this.config.mapErrors) return next.handle();
    return next.handle().pipe(catchError((error: unknown) => throwError(() => this.map(error, context))));
  }

  private map(error: unknown, context: ExecutionContext): unknown {
    if (!(error instanceof LogupError)) return error;
    const type = context.getType<string>();
    if (type === 'http') return toLogupHttpException(error, context.switchToHttp().getResponse());
    if (type === 'graphql') return new LogupGraphqlError(toLogupHttpException(error), error);
    return error;
  }
}
