import {
  BadGatewayException,
  BadRequestException,
  GatewayTimeoutException,
  HttpException,
  InternalServerErrorException,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  LogupApiError,
  LogupCredentialsError,
  LogupError,
  LogupUnavailableError,
  LogupValidationError,
} from './logup.errors.js';
import { LOGUP_MESSAGES } from './logup.messages.js';

type HeaderSetter = {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
};

/** Sets a response header on an Express, Fastify or plain Node response. */
export function setResponseHeader(response: unknown, name: string, value: string): void {
  const target = response as HeaderSetter | undefined;
  if (typeof target?.header === 'function') target.header(name, value);
  else if (typeof target?.setHeader === 'function') target.setHeader(name, value);
}

const logger = new Logger('LogupModule');

/**
 * The HTTP answer for a library error, never a 500 for a visitor's mistake:
 * validation, or LogUp's own 400 -> 400 with the library's message; LogUp unavailable -> 503 (504 for a
 * timeout) with `Retry-After` when LogUp sent one (pass the response to set it);
 * rejected gate credentials -> 503, logging for the operator what is misconfigured;
 * any other LogUp error status -> 502. Messages carry no secrets or internals; the
 * library error is the exception's `cause`. `LogupModule` applies this to every
 * route and resolver of the app (see `LogupErrorInterceptor`, option `mapErrors`).
 */
export function toLogupHttpException(error: LogupError, response?: unknown): HttpException {
  const cause = { cause: error };
  if (error instanceof LogupValidationError) {
    return new BadRequestException(
      error.issues.map((issue) => `${issue.path} ${issue.message}`),
      cause,
    );
  }
  if (error instanceof LogupUnavailableError) {
    if (error.retryAfterSeconds !== undefined && response !== undefined) {
      setResponseHeader(response, 'Retry-After', String(Math.ceil(error.retryAfterSeconds)));
    }
    logger.warn(error.message);
    return error.reason === 'timeout'
      ? new GatewayTimeoutException(LOGUP_MESSAGES.logupTimeout, cause)
      : new ServiceUnavailableException(LOGUP_MESSAGES.logupUnavailable, cause);
  }
  if (error instanceof LogupCredentialsError) {
    logger.error(error.message);
    return new ServiceUnavailableException(LOGUP_MESSAGES.logupMisconfigured, cause);
  }
  if (error instanceof LogupApiError && error.status === 400) {
    // LogUp refused the input itself (a limit the library does not know yet): the caller's mistake.
    return new BadRequestException(error.message, cause);
  }
  if (error instanceof LogupApiError) {
    logger.error(error.message);
    return new BadGatewayException(LOGUP_MESSAGES.logupUnexpected, cause);
  }
  // A developer error (e.g. @Subscription() on an unguarded route): a real server bug.
  logger.error(error.message);
  return new InternalServerErrorException(undefined, cause);
}
