import { applyDecorators } from '@nestjs/common';
import { ApiCookieAuth, ApiQuery, ApiResponse, type DocumentBuilder } from '@nestjs/swagger';
import { LOGUP_TOKEN_LENGTH, LOGUP_TOKEN_PATTERN } from '../logup.validation.js';

/** Name of the session cookie security scheme in the OpenAPI document. */
export const LOGUP_SECURITY_NAME = 'logup-session';

/** Options of {@link addLogupSecurity}. */
export interface LogupSecurityOptions {
  /**
   * Name of the session cookie. Default `'connect.sid'` (express-session's); `'session'`
   * for @fastify/secure-session, or whatever your session middleware is told.
   */
  cookieName?: string;
  /** Name of the security scheme; use the same in `@ApiLogup({ security })`. Default {@link LOGUP_SECURITY_NAME}. */
  securityName?: string;
}

/**
 * Adds the LogUp session cookie security scheme (`apiKey` in a cookie) to a
 * `DocumentBuilder`, so that routes marked {@link ApiLogup} name it.
 * @returns the builder, for chaining.
 * @example
 * ```ts
 * const config = addLogupSecurity(new DocumentBuilder().setTitle('My API')).build();
 * ```
 */
export function addLogupSecurity(builder: DocumentBuilder, options: LogupSecurityOptions = {}): DocumentBuilder {
  const cookieName = options.cookieName ?? 'connect.sid';
  return builder.addCookieAuth(
    cookieName,
    {
      type: 'apiKey',
      in: 'cookie',
      name: cookieName,
      description:
        'The session cookie set when the visitor logs in with LogUp (POST the login start route, ' +
        'then the callback). Sent by the browser; never a LogUp token.',
    },
    options.securityName ?? LOGUP_SECURITY_NAME,
  );
}

/** Options of {@link ApiLogup}. */
export interface ApiLogupOptions {
  /**
   * The route is LogUp's callback (`callbackPath` or `@LogupCallback()`): documents the
   * `logupToken` and `isNewUser` query parameters and the 409 of an account switch.
   * Default false.
   */
  callback?: boolean;
  /**
   * The module has a `loginUrl`: documents the 303 that sends a browser (a GET
   * accepting `text/html`) without a login there instead of the 401. Default false.
   */
  loginRedirect?: boolean;
  /** The security scheme's name, as given to {@link addLogupSecurity}. Default {@link LOGUP_SECURITY_NAME}. */
  security?: string;
}

const errorBody = (status: number, error: string) => ({
  type: 'object' as const,
  required: ['statusCode', 'message'],
  properties: {
    statusCode: { type: 'integer', example: status },
    message: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    error: { type: 'string', example: error },
  },
});

const answer = (status: number, error: string, description: string) =>
  ApiResponse({ status, description, schema: errorBody(status, error) });

/**
 * Documents a route protected by `LogupGuard` in one decorator: the session cookie
 * security scheme and the guard's answers — 401 without a login (or when LogUp does
 * not verify the token), 400 for a `logupToken` sent off the callback (and, on the
 * callback, a malformed query or a login this browser did not start), 409 on the
 * callback for another account while logged in, 303 to `loginUrl` with
 * `loginRedirect`, and 503/504 while LogUp is unreachable. Put it on a handler or a
 * controller, next to `@UseGuards(LogupGuard)`.
 * @example
 * ```ts
 * @Get('me') @UseGuards(LogupGuard) @ApiLogup()
 * me(@CurrentSubscription() subscription: LogupSubscription) { ... }
 * ```
 */
export function ApiLogup(options: ApiLogupOptions = {}): MethodDecorator & ClassDecorator {
  const decorators = [
    ApiCookieAuth(options.security ?? LOGUP_SECURITY_NAME),
    answer(
      401,
      'Unauthorized',
      options.callback
        ? 'LogUp did not verify the logupToken (its reason in errorMessage).'
        : 'No login in the session, or it expired or was logged out.',
    ),
    answer(
      400,
      'Bad Request',
      options.callback
        ? 'A malformed callback query (each problem listed), or a login this browser did not start or that took too long.'
        : 'A logupToken was sent to a route that is not the callback; nothing was verified.',
    ),
    answer(503, 'Service Unavailable', 'LogUp is unreachable or refused the gate credentials; retry later.'),
    answer(504, 'Gateway Timeout', 'LogUp did not answer in time.'),
  ];
  if (options.callback) decorators.push(...callbackDecorators());
  if (options.loginRedirect) {
    decorators.push(
      ApiResponse({
        status: 303,
        description: 'A browser (GET accepting text/html) without a login is sent to the login start page.',
        headers: { Location: { description: 'The configured loginUrl.', schema: { type: 'string' } } },
      }),
    );
  }
  return applyDecorators(...decorators);
}

function callbackDecorators() {
  return [
    ApiQuery({
      name: 'logupToken',
      required: true,
      description: 'The single-use token LogUp appended to the redirect; verified with LogUp, never stored.',
      schema: {
        type: 'string',
        minLength: LOGUP_TOKEN_LENGTH.min,
        maxLength: LOGUP_TOKEN_LENGTH.max,
        pattern: LOGUP_TOKEN_PATTERN.source,
      },
    }),
    ApiQuery({
      name: 'isNewUser',
      required: true,
      description: 'Whether the visitor says they are new to this site.',
      schema: { type: 'string', enum: ['true', 'false'] },
    }),
    answer(409, 'Conflict', 'This browser is already logged in with another LogUp account: log out first.'),
  ];
}
