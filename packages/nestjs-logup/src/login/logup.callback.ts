import { BadRequestException, type HttpException, type LoggerService } from '@nestjs/common';
import { LogupCallbackRefusedException, LogupLoginNotStartedException } from './logup.exceptions.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import type { LogupConfig } from '../options/logup-module-options.interface.js';
import { callbackRequestProblem, referrerProblem } from './logup.request-origin.js';
import type { LogupService, LogupVerification, LogupVerifiedSubscription } from '../logup.service.js';
import { hasSession, nonceMatches, takePendingLogin } from '../session/logup.session.js';
import { parseCallbackQuery } from '../logup.validation.js';

type Logger = Pick<LoggerService, 'warn' | 'debug'>;

/** What the callback needs: the gate's settings, its service and a logger. */
interface LogupCallbackDeps {
  config: LogupConfig;
  logup: LogupService;
  logger: Logger;
}

/** The hooks through which `LogupGuard` and `LogupStrategy` answer a refused callback (overridable there). */
interface LogupCallbackAnswers {
  /** A library error of the checks or of LogUp, as the HTTP answer to throw. */
  handleError(error: unknown, response: unknown): unknown;
  /** LogUp says the token does not prove a login (401). */
  handleNotVerified(errorMessage: string): HttpException;
  /** The browser is logged in as another subscription (409). */
  handleAccountSwitch(): HttpException;
}

/**
 * Refuses a callback this browser did not start (login CSRF defence, `loginBinding`):
 * no session, no pending login, one already used by another callback, an expired one,
 * a `Referer` of another site, or (in `'nonce'` mode) a nonce that does not match. The
 * pending login is taken either way: it serves one callback.
 * Shared by `LogupGuard` and `LogupStrategy`.
 * @throws LogupLoginNotStartedException (400)
 */
async function assertLoginBound(
  request: unknown,
  query: Record<string, unknown>,
  config: LogupConfig,
  logger: Logger,
): Promise<void> {
  if (config.loginBinding === 'off') return;
  if (!hasSession(request)) {
    logger.warn(LOGUP_MESSAGES.loginNotStartedLog(LOGUP_MESSAGES.noSessionForBinding));
    throw new LogupLoginNotStartedException();
  }
  const pending = await takePendingLogin(request, config);
  let why = referrerProblem(request, config);
  if (why) why = LOGUP_MESSAGES.foreignReferrer(why);
  else if (!pending) why = noPendingReason(request);
  else if (pending === 'used') why = LOGUP_MESSAGES.pendingLoginUsed;
  else if (Date.now() > pending.expiresAt) why = 'the pending login expired';
  else if (config.loginBinding === 'nonce' && !nonceMatches(pending.nonce, query[config.nonceQueryParam])) {
    why = `${config.nonceQueryParam} does not match the pending login`;
  }
  if (why) {
    logger.warn(LOGUP_MESSAGES.loginNotStartedLog(why));
    throw new LogupLoginNotStartedException();
  }
}

/** Why there is no pending login: most often, the browser sent no session cookie at all (another host name). */
function noPendingReason(request: unknown): string {
  const cookie = (request as { headers?: Record<string, unknown> } | undefined)?.headers?.cookie;
  return typeof cookie === 'string' && cookie !== ''
    ? LOGUP_MESSAGES.noPendingLogin
    : LOGUP_MESSAGES.noCookieOnCallback;
}

/**
 * The callback's steps before the login itself, shared by `LogupGuard` and
 * `LogupStrategy`: the query checked (400), the request checked (a GET that is not a
 * prefetch; 400), the login binding checked (400), then the token verified with
 * LogUp. LogUp's errors are thrown for the caller to map.
 */
async function verifyCallbackQuery(
  request: unknown,
  query: Record<string, unknown>,
  deps: LogupCallbackDeps,
): Promise<LogupVerification> {
  const { config } = deps;
  const input = parseCallbackQuery(query, { token: config.tokenQueryParam, isNewUser: config.isNewUserQueryParam });
  if ('problems' in input) throw new BadRequestException(input.problems);
  const problem = callbackRequestProblem(request, config);
  if (problem) {
    deps.logger.warn(LOGUP_MESSAGES.callbackRefusedLog(problem));
    throw new LogupCallbackRefusedException();
  }
  await assertLoginBound(request, query, config, deps.logger);
  return deps.logup.verify(input.logupToken, input.isNewUser);
}

/** The answer hooks of a guard or strategy, protected there, as the callback tail calls them. */
export function callbackAnswersOf(owner: object): LogupCallbackAnswers {
  const hooks = owner as unknown as LogupCallbackAnswers;
  return {
    handleError: (error, response) => hooks.handleError(error, response),
    handleNotVerified: (errorMessage) => hooks.handleNotVerified(errorMessage),
    handleAccountSwitch: () => hooks.handleAccountSwitch(),
  };
}

/**
 * The callback's tail, written once for `LogupGuard` and `LogupStrategy`: the checks
 * and the verification (`verifyCallbackQuery`), LogUp's "not verified", and no switch
 * of a browser logged in as one subscription (`loggedInAs`) to another. Each refusal
 * is thrown as `answers` maps it.
 * @returns the verified subscription, for the caller to log in.
 */
export async function verifiedCallbackSubscription(
  request: unknown,
  query: Record<string, unknown>,
  response: unknown,
  deps: LogupCallbackDeps & { answers: LogupCallbackAnswers; loggedInAs: () => Promise<string | undefined> },
): Promise<LogupVerifiedSubscription> {
  let result: LogupVerification;
  try {
    result = await verifyCallbackQuery(request, query, deps);
  } catch (error) {
    throw deps.answers.handleError(error, response);
  }
  if (!result.verified) throw deps.answers.handleNotVerified(result.errorMessage);
  const current = await deps.loggedInAs();
  if (current !== undefined && current !== result.subscription.idSubscription) throw deps.answers.handleAccountSwitch();
  return result.subscription;
}
