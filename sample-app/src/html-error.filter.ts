import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  LogupAccountSwitchException,
  LogupError,
  LogupLoginNotStartedException,
  LogupLoginRedirectException,
  toLogupHttpException,
} from 'nestjs-logup';
import { csrfToken } from './infra/csrf.js';
import { friendlyErrorPage } from './messages.js';
import { VisitorWriteLimitException } from './infra/write-rate-limit.js';

/** The callback's path (LogupGuard's default `callbackPath`). */
const CALLBACK_PATH = '/logup/callback';

/**
 * What an error page adds for the login refusals a visitor may meet (login CSRF
 * defence), and for a login that failed on this site's side (the login handler threw).
 */
function pageExtras(error: HttpException, request: Record<string, unknown>): Record<string, string> {
  if (error instanceof LogupAccountSwitchException) {
    return {
      title: 'Already logged in',
      hint:
        'You are still logged in with your current account and nothing was changed. To use the other ' +
        'account, log out first, then log in with it.',
      switchCsrf: csrfToken(request),
    };
  }
  if (error instanceof LogupLoginNotStartedException) {
    return {
      title: 'Login refused',
      hint:
        'Nobody was logged in by this link. If you were logging in, start again from the home page; if a ' +
        'link from somewhere else brought you here, you can ignore it.',
    };
  }
  const path = typeof request.url === 'string' ? request.url.split('?')[0] : '';
  if (error.getStatus() >= 500 && path === CALLBACK_PATH) {
    return {
      title: 'Logging in failed',
      hint: 'Nobody was logged in and nothing was changed. Please start again from the home page in a moment.',
    };
  }
  return {};
}

/**
 * Answers errors as a small HTML page for browsers and as Nest's usual JSON
 * otherwise, on both adapters; LogUp library errors get their HTTP mapping.
 * Bodies carry a status and a message, never a stack or internals.
 */
@Catch()
export class HtmlErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HtmlErrorFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const { httpAdapter } = this.adapterHost;
    const http = host.switchToHttp();
    const request = http.getRequest<{ headers: Record<string, string | undefined>; method: string }>();
    const page = request as unknown as Record<string, unknown>;
    const response = http.getResponse();
    if (exception instanceof LogupLoginRedirectException) {
      return httpAdapter.redirect(response, HttpStatus.SEE_OTHER, exception.location);
    }
    let error: HttpException;
    if (exception instanceof HttpException) error = exception;
    else if (exception instanceof LogupError) error = toLogupHttpException(exception, response);
    else {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
      error = new HttpException('Something went wrong on our side.', HttpStatus.INTERNAL_SERVER_ERROR);
    }
    const status = error.getStatus();
    if (error instanceof VisitorWriteLimitException) {
      httpAdapter.setHeader(response, 'Retry-After', String(error.retryAfterSeconds));
    }
    const body = error.getResponse();
    const message = ([] as string[]).concat(
      typeof body === 'string' ? body : ((body as { message?: string | string[] }).message ?? error.message),
    );
    if ((request.headers.accept ?? '').includes('text/html')) {
      httpAdapter.status(response, status);
      // The JSON below keeps the library's and Nest's texts; the page says them to people.
      await httpAdapter.render(response, 'error', {
        ...friendlyErrorPage(error, message),
        status,
        ...pageExtras(error, page),
      });
      return;
    }
    httpAdapter.reply(response, typeof body === 'string' ? { statusCode: status, message: body } : body, status);
  }
}
