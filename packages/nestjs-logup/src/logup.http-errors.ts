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
 * validation -> 400 listing the problems; LogUp unavailable -> 503 (504 for a
 * timeout) with `Retry-After` when LogUp sent one (pass the response to set it);
 * rejected gate credentials -> 503, logging for the operator what is misconfigured;
 * any other LogUp error status -> 502. Messages carry no secrets or internals.
 * @example
 * `@Catch(LogupError) class Filter { catch(e: LogupError) { throw toLogupHttpException(e); } }`
 */
export function toLogupHttpException(error: LogupError, response?: unknown): HttpException {
  if (error instanceof LogupValidationError) {
    return new BadRequestException(error.issues.map((issue) => `${issue.path} ${issue.message}`));
  }
  if (error instanceof LogupUnavailableError) {
    if (error.retryAfterSeconds !== undefined && response !== undefined) {
      setResponseHeader(response, 'Retry-After', String(Math.ceil(error.retryAfterSeconds)));
    }
    logger.warn(error.message);
    return error.reason === 'timeout'
      ? new GatewayTimeoutException(LOGUP_MESSAGES.logupTimeout)
      : new ServiceUnavailableException(LOGUP_MESSAGES.logupUnavailable);
  }
  if (error instanceof LogupCredentialsError) {
    logger.error(error.message);
    return new ServiceUnavailableException(LOGUP_MESSAGES.logupMisconfigured);
  }
  if (error instanceof LogupApiError) {
    logger.error(error.message);
    return new BadGatewayException(LOGUP_MESSAGES.logupUnexpected);
  }
  // A developer error (e.g. @Subscription() on an unguarded route): a real server bug.
  logger.error(error.message);
  return new InternalServerErrorException();
}
