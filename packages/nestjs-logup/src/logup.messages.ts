/**
 * Every message the library produces, in one place. None ever contains a secret,
 * an access token or a logupToken: callers pass only names, numbers and
 * sanitized reasons.
 */
export const LOGUP_MESSAGES = {
  configuration: (option: string, problem: string) => `Invalid LogupModule option "${option}": ${problem}`,
  configurationList: (problems: string[]) =>
    problems.length === 1 ? problems[0] : `Invalid LogupModule options:\n- ${problems.join('\n- ')}`,
  validation: (what: string, issues: { path: string; message: string }[]) =>
    `Invalid ${what}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
  credentials: (idGate: string, reason: string, status: number) =>
    `LogUp rejected the gate credentials for idGate "${idGate}" (HTTP ${status}, ${reason}). ` +
    'Check the idGate and secret options.',
  api: (operation: string, status: number, reason: string) =>
    `LogUp answered ${operation} with HTTP ${status} (${reason})`,
  unavailable: (operation: string, detail: string) => `LogUp is unavailable for ${operation}: ${detail}`,
  malformed: (operation: string, detail: string) => `LogUp answered ${operation} with a malformed answer: ${detail}`,
  noGuard: (where: string) =>
    `@Subscription() found no LogUp subscription on ${where}: protect the route with @UseGuards(LogupGuard) ` +
    '(or register LogupGuard as APP_GUARD) and do not mark it @LogupPublic()',
  unsupportedContext: (type: string) =>
    `LogupGuard cannot read a request from a "${type}" context: override getRequest(context) in a subclass`,
  tokenOffCallback: (param: string) =>
    `${param} is accepted only on the LogUp callback route; this route authenticates from the session`,
  tokenOffCallbackLog: (param: string, path: string, callbackPath: string) =>
    `A request to ${path} carried ${param}, which LogupGuard verifies only on the callback route ` +
    `(${callbackPath}, or a route marked @LogupCallback()). Point the gate's redirect URL there.`,
  loginNotStarted: 'This login was not started from this browser, or it took too long. Please log in again.',
  loginNotStartedLog: (why: string) => `LogUp callback refused: ${why}`,
  noPendingLogin:
    'no login was started in this session (call LogupService.startLogin() before sending visitors to LogUp)',
  noSessionForBinding:
    'the request has no session, so the login cannot be bound to the browser that started it. ' +
    "Add a session middleware (express-session, cookie-session or @fastify/secure-session), or set loginBinding: 'off'",
  noSessionWarning:
    'LogupGuard logged a visitor in, but the request has no session: the visitor will not stay logged in. ' +
    'Add a session middleware (express-session, cookie-session or @fastify/secure-session) before the guard ' +
    '(README, "Sessions"), or set sessionKey: false to silence this.',
  alreadyLoggedIn: 'This browser is already logged in with another LogUp account. Log out first, then log in again.',
  loginRequired: 'Log in with LogUp first',
  loginHandlerFailed: 'Logging in failed: this site could not set up your account. Please try again.',
  notVerified: (reason: string) => `LogUp did not verify this login (${reason})`,
  logupTimeout: 'LogUp did not answer in time; please try again',
  logupUnavailable: 'LogUp is unavailable; please try again shortly',
  logupMisconfigured: "Logging in is unavailable: this site's LogUp configuration is wrong",
  logupUnexpected: 'LogUp answered unexpectedly; please try again',
  duplicateName: (name: string) =>
    `LogupModule.forRoot() was called twice with the name "${name}": give each gate its own name`,
} as const;
