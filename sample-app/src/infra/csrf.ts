import Tokens from '@fastify/csrf';
import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { sessionOf } from './session.js';

const tokens = Tokens();
const SECRET_KEY = 'csrfSecret';

/** A CSRF token for the visitor's forms (the secret lives in their session). */
export function csrfToken(request: Record<string, unknown>): string {
  const session = sessionOf(request);
  let secret = session.get<string>(SECRET_KEY);
  if (!secret) {
    secret = tokens.secretSync();
    session.set(SECRET_KEY, secret);
  }
  return tokens.create(secret);
}

/**
 * Gives the session a new CSRF secret, so that tokens issued before (to this
 * browser, or to whoever copied its pages) stop working. Called at login; logout
 * ends the whole session.
 */
export function rotateCsrfSecret(request: Record<string, unknown>): void {
  sessionOf(request).set(SECRET_KEY, tokens.secretSync());
}

/** Rejects a form post whose `_csrf` field does not match the visitor's session (403). */
@Injectable()
export class CsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Record<string, unknown>>();
    const secret = sessionOf(request).get<string>(SECRET_KEY);
    const token = (request.body as Record<string, unknown> | undefined)?._csrf;
    if (!secret || typeof token !== 'string' || !tokens.verify(secret, token)) {
      throw new ForbiddenException(
        'This form has expired or did not come from this site; reload the page and try again',
      );
    }
    return true;
  }
}
