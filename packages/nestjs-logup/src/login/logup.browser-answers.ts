import { HttpException, HttpStatus } from '@nestjs/common';
import type { LogupConfig } from '../options/logup-module-options.interface.js';
import { LogupLoginNotStartedException } from './logup.exceptions.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import { headerOf } from './logup.request-origin.js';

/**
 * The reason codes a refused callback sends a browser back with (`?logupError=...`),
 * for the app's page to show a message of its own:
 * - `not_started`: no login was started in this browser, or it expired or was used (400);
 * - `invalid_callback`: a malformed callback, or not a navigation (400);
 * - `not_verified`: LogUp did not verify the token (401);
 * - `account_switch`: the browser is logged in as another account (409);
 * - `logup_unavailable`: LogUp cannot answer, or refuses the gate (502, 503, 504).
 */
export type LogupCallbackErrorCode =
  'not_started' | 'invalid_callback' | 'not_verified' | 'account_switch' | 'logup_unavailable';

/** The query parameter carrying a {@link LogupCallbackErrorCode}. */
export const LOGUP_ERROR_QUERY_PARAM = 'logupError';

/** A refused callback answered to a browser: 303 to `callbackErrorUrl` with the reason code. */
export class LogupCallbackErrorRedirectException extends HttpException {
  constructor(
    readonly location: string,
    readonly logupError: LogupCallbackErrorCode,
    message: string,
  ) {
    super({ statusCode: HttpStatus.SEE_OTHER, message, logupError, location }, HttpStatus.SEE_OTHER);
  }
}

function codeOf(error: HttpException): LogupCallbackErrorCode | undefined {
  const status = error.getStatus();
  if (status === 400) return error instanceof LogupLoginNotStartedException ? 'not_started' : 'invalid_callback';
  if (status === 401) return 'not_verified';
  if (status === 409) return 'account_switch';
  if (status === 502 || status === 503 || status === 504) return 'logup_unavailable';
  return undefined;
}

/** Whether the request is a browser opening a page: a GET asking for HTML (as the guard's `loginUrl` redirect decides). */
function isBrowserNavigation(request: unknown): boolean {
  const method = (request as { method?: unknown } | undefined)?.method;
  return method === 'GET' && /text\/html/i.test(headerOf(request, 'accept') ?? '');
}

/**
 * How a refused callback answers a browser navigation: a 303 to `callbackErrorUrl`
 * (default `loginUrl`, else `/`) with `?logupError=<code>`, instead of a JSON body as
 * the whole page; API clients keep the JSON answer. Undefined when it stays as it is.
 */
export function browserAnswerFor(
  request: unknown,
  error: unknown,
  config: LogupConfig,
): LogupCallbackErrorRedirectException | undefined {
  if (config.callbackErrorUrl === false || !(error instanceof HttpException) || !isBrowserNavigation(request)) {
    return undefined;
  }
  const code = codeOf(error);
  if (!code) return undefined;
  const base = config.callbackErrorUrl ?? config.loginUrl ?? '/';
  const [path, fragment] = base.split('#', 2);
  const location = `${path}${path.includes('?') ? '&' : '?'}${LOGUP_ERROR_QUERY_PARAM}=${code}${fragment ? `#${fragment}` : ''}`;
  return new LogupCallbackErrorRedirectException(location, code, LOGUP_MESSAGES.callbackErrorRedirect(code));
}
