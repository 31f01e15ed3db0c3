import {
  BadGatewayException,
  BadRequestException,
  GatewayTimeoutException,
  HttpException,
  InternalServerErrorException,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import { setResponseHeader } from '../login/logup.request.js';
import { LogupError, LogupValidationError } from './logup.errors.js';
import { LogupApiError, LogupCredentialsError, LogupUnavailableError } from './logup.api-errors.js';
import { LOGUP_MESSAGES } from './logup.messages.js';

/** The HTTP answer for a library error, and what goes beside it. */
interface LogupHttpAnswer {
  exception: HttpException;
  /** Seconds for a `Retry-After` header (LogUp sent one), if any. */
  retryAfterSeconds?: number;
  /** The line for the operator's log, if the error is theirs to see. */
  log?: { level: 'warn' | 'error'; message: string };
}

/**
 * The HTTP answer for a library error, pure (nothing logged, no header set), never a
 * 500 for a visitor's mistake: validation, or LogUp's own 400 -> 400 with the library's
 * message; LogUp unavailable -> 503 (504 for a timeout), with LogUp's `Retry-After`;
 * rejected gate credentials -> 503, with a log line saying what is misconfigured; any
 * other LogUp error status -> 502. Messages carry no secrets or internals; the library
 * error is the exception's `cause`.
 */
export function logupHttpAnswerOf(error: LogupError): LogupHttpAnswer {
  const cause = { cause: error };
  if (error instanceof LogupValidationError) {
    const messages = error.issues.map((issue) => `${issue.path} ${issue.message}`);
    return { exception: new BadRequestException(messages, cause) };
  }
  if (error instanceof LogupUnavailableError) {
    const exception =
      error.reason === 'timeout'
        ? new GatewayTimeoutException(LOGUP_MESSAGES.logupTimeout, cause)
        : new ServiceUnavailableException(LOGUP_MESSAGES.logupUnavailable, cause);
    return { exception, retryAfterSeconds: error.retryAfterSeconds, log: { level: 'warn', message: error.message } };
  }
  const log = { level: 'error', message: error.message } as const;
  if (error instanceof LogupCredentialsError) {
    return { exception: new ServiceUnavailableException(LOGUP_MESSAGES.logupMisconfigured, cause), log };
  }
  if (error instanceof LogupApiError && error.status === 400) {
    // LogUp refused the input itself (a limit the library does not know yet): the caller's mistake.
    return { exception: new BadRequestException(error.message, cause) };
  }
  if (error instanceof LogupApiError) {
    return { exception: new BadGatewayException(LOGUP_MESSAGES.logupUnexpected, cause), log };
  }
  // A developer error (e.g. @Subscription() on an unguarded route): a real server bug.
  return { exception: new InternalServerErrorException(undefined, cause), log };
}

/** Logs what `answer` says to log and sets its `Retry-After` on `response` (when given); returns its exception. */
export function applyLogupHttpAnswer(
  answer: LogupHttpAnswer,
  response: unknown,
  logger: Pick<Logger, 'warn' | 'error'>,
): HttpException {
  if (answer.log) logger[answer.log.level](answer.log.message);
  if (answer.retryAfterSeconds !== undefined && response !== undefined) {
    setResponseHeader(response, 'Retry-After', String(Math.ceil(answer.retryAfterSeconds)));
  }
  return answer.exception;
}

const logger = new Logger('LogupModule');

/**
 * The HTTP answer for a library error (see {@link logupHttpAnswerOf}), for an app's
 * own exception filter: pass the response to get LogUp's `Retry-After` on it; the
 * operator's log line goes to the `LogupModule` logger. `LogupModule` already applies
 * this to every route and resolver of the app (`LogupErrorInterceptor`, option `mapErrors`).
 */
export function toLogupHttpException(error: LogupError, response?: unknown): HttpException {
  return applyLogupHttpAnswer(logupHttpAnswerOf(error), response, logger);
}
