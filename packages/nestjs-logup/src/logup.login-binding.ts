import { BadRequestException, type LoggerService } from '@nestjs/common';
import { LogupLoginNotStartedException } from './logup.exceptions.js';
import { LOGUP_MESSAGES } from './logup.messages.js';
import type { LogupConfig } from './logup-module-options.interface.js';
import type { LogupService, LogupVerification } from './logup.service.js';
import { hasSession, nonceMatches, takePendingLogin } from './logup.session.js';
import { parseCallbackQuery } from './logup.validation.js';

/**
 * Refuses a callback this browser did not start (login CSRF defence, `loginBinding`):
 * no session, no pending login, an expired one, or (in `'nonce'` mode) a nonce that
 * does not match. The pending login is taken either way: it serves one callback.
 * Shared by `LogupGuard` and `LogupStrategy`.
 * @throws LogupLoginNotStartedException (400)
 */
export function assertLoginBound(
  request: unknown,
  query: Record<string, unknown>,
  config: LogupConfig,
  logger: Pick<LoggerService, 'warn' | 'debug'>,
): void {
  if (config.loginBinding === 'off') return;
  if (!hasSession(request)) {
    logger.warn(LOGUP_MESSAGES.loginNotStartedLog(LOGUP_MESSAGES.noSessionForBinding));
    throw new LogupLoginNotStartedException();
  }
  const pending = takePendingLogin(request, config);
  let why: string | undefined;
  if (!pending) why = LOGUP_MESSAGES.noPendingLogin;
  else if (Date.now() > pending.expiresAt) why = 'the pending login expired';
  else if (config.loginBinding === 'nonce' && !nonceMatches(pending.nonce, query[config.nonceQueryParam])) {
    why = `${config.nonceQueryParam} does not match the pending login`;
  }
  if (why) {
    logger.debug?.(LOGUP_MESSAGES.loginNotStartedLog(why));
    throw new LogupLoginNotStartedException();
  }
}

/**
 * The callback's steps before the login itself, shared by `LogupGuard` and
 * `LogupStrategy`: the query checked (400), the login binding checked (400), then the
 * token verified with LogUp. LogUp's errors are thrown for the caller to map.
 */
export async function verifyCallbackQuery(
  request: unknown,
  query: Record<string, unknown>,
  deps: { config: LogupConfig; logup: LogupService; logger: Pick<LoggerService, 'warn' | 'debug'> },
): Promise<LogupVerification> {
  const { config } = deps;
  const input = parseCallbackQuery(query, { token: config.tokenQueryParam, isNewUser: config.isNewUserQueryParam });
  if ('problems' in input) throw new BadRequestException(input.problems);
  assertLoginBound(request, query, config, deps.logger);
  return deps.logup.verify(input.logupToken, input.isNewUser);
}
