import { HttpException, HttpStatus, Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';

/** Once a minute at most: a misrouted site should not flood its own log. */
const LOG_INTERVAL_MS = 60_000;

/**
 * Fails loudly when the session cookie cannot be set: with COOKIE_SECURE=true a
 * request that did not arrive over HTTPS (as far as a trusted proxy says) would get
 * no cookie (cookie-session drops it silently, a browser ignores it), so the login
 * would loop back to the home page. Instead: an error log line and a 500 page.
 */
@Injectable()
export class SecureCookieGuard implements CanActivate {
  private readonly logger = new Logger('SessionCookie');
  private lastLog = 0;

  constructor(private readonly config: ConfigService) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.config.getOrThrow<boolean>('secureCookies')) return true;
    const request = context.switchToHttp().getRequest<{ protocol?: string; headers: Record<string, unknown> }>();
    if (request.protocol === 'https') return true;
    if (Date.now() - this.lastLog > LOG_INTERVAL_MS) {
      this.lastLog = Date.now();
      const forwarded = request.headers['x-forwarded-proto'] !== undefined;
      this.logger.error(
        'COOKIE_SECURE=true but a request arrived over plain HTTP, so no session cookie can be set and nobody ' +
          'can log in. ' +
          (forwarded
            ? 'It carried X-Forwarded-Proto from a proxy that is not trusted: set TRUST_PROXY to that proxy ' +
              '(e.g. loopback, its IP or CIDR).'
            : 'Serve the site over HTTPS (behind a TLS proxy, set TRUST_PROXY to it), or unset COOKIE_SECURE.'),
      );
    }
    throw new HttpException(
      'This site could not start a session: it only sets its cookie over HTTPS and this request did not ' +
        'arrive over HTTPS. If you run this site, see its log.',
      HttpStatus.INTERNAL_SERVER_ERROR,
    );
  }
}
