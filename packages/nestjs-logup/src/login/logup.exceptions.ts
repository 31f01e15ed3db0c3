import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  ServiceUnavailableException,
  HttpException,
  HttpStatus,
  UnauthorizedException,
} from '@nestjs/common';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';

/** Sends an unauthenticated browser to the configured `loginUrl` (303 See Other). */
export class LogupLoginRedirectException extends HttpException {
  constructor(readonly location: string) {
    super({ statusCode: HttpStatus.SEE_OTHER, message: LOGUP_MESSAGES.loginRequired, location }, HttpStatus.SEE_OTHER);
  }
}

/** A callback with no pending login in this browser's session (login CSRF defence): 400. */
export class LogupLoginNotStartedException extends BadRequestException {
  constructor() {
    super(LOGUP_MESSAGES.loginNotStarted);
  }
}

/** A callback that would switch a logged-in browser to another subscription: 409. */
export class LogupAccountSwitchException extends ConflictException {
  constructor() {
    super(LOGUP_MESSAGES.alreadyLoggedIn);
  }
}

/** A `logupToken` sent to a guarded route that is not the callback: 400, nothing verified. */
export class LogupTokenNotAcceptedException extends BadRequestException {
  constructor(param: string) {
    super(LOGUP_MESSAGES.tokenOffCallback(param));
  }
}

/** LogUp did not verify the callback's token: 401 with LogUp's (sanitized) reason in `errorMessage`. */
export class LogupNotVerifiedException extends UnauthorizedException {
  constructor(readonly errorMessage: string) {
    super({
      statusCode: HttpStatus.UNAUTHORIZED,
      error: 'Unauthorized',
      message: LOGUP_MESSAGES.notVerified(errorMessage),
      errorMessage,
    });
  }
}

/** A callback request that may not spend a token (a HEAD, a prefetch, or with `loginBinding: 'off'` not a navigation): 400. */
export class LogupCallbackRefusedException extends BadRequestException {
  constructor() {
    super(LOGUP_MESSAGES.callbackRefused);
  }
}

/** A login start initiated by another site (`LogupService.startLogin()`, login CSRF defence): 403. */
export class LogupCrossSiteLoginException extends ForbiddenException {
  constructor() {
    super(LOGUP_MESSAGES.crossSiteStart);
  }
}

/**
 * The session store failed while the library wrote a login, a pending login or a
 * logout (Redis down or full, a file store that cannot write): 503, nothing is half
 * done from the visitor's point of view; the cause is logged, not answered.
 */
export class LogupSessionUnavailableException extends ServiceUnavailableException {
  constructor() {
    super(LOGUP_MESSAGES.sessionUnavailable);
  }
}
