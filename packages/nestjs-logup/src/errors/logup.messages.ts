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
  dbSchema: (
    operation: string,
    idSubscription: string,
    issues: { path: string; message: string }[],
    applied: boolean,
  ) =>
    `The DB of subscription "${idSubscription}" (${operation}) does not match dbSchema` +
    `${applied ? ' (the change was applied)' : ''}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
  credentials: (idGate: string, reason: string, status: number) =>
    `LogUp rejected the gate credentials for idGate "${idGate}" (HTTP ${status}, ${reason}). ` +
    'Check the idGate and secret options.',
  api: (operation: string, status: number, reason: string) =>
    `LogUp answered ${operation} with HTTP ${status} (${reason})`,
  unavailable: (operation: string, detail: string) => `LogUp is unavailable for ${operation}: ${detail}`,
  malformed: (operation: string, detail: string) => `LogUp answered ${operation} with a malformed answer: ${detail}`,
  noGuard: (where: string, gate: string | undefined) =>
    `@CurrentSubscription() / @Subscription() found no LogUp subscription${gate ? ` of the gate "${gate}"` : ''} ` +
    `on ${where}: protect the route with @UseGuards(${gate && gate !== 'default' ? `LogupGuard.for('${gate}')` : 'LogupGuard'}) ` +
    '(or register it as APP_GUARD) and do not mark it @LogupPublic()',
  ambiguousGate: (where: string, gates: string[]) =>
    `@CurrentSubscription() / @Subscription() on ${where}: the request is logged in to the gates ` +
    `${gates.map((g) => `"${g}"`).join(', ')}; name one: @CurrentSubscription({ gate: '${gates[gates.length - 1]}' })`,
  socketSessionMiddleware:
    'useLogupSockets(app, { sessionMiddleware }) needs, on Express, the session middleware the app passes to ' +
    'app.use() (the same instance), to read the session of WebSocket handshakes',
  socketNoHandshake:
    'LogupGuard found no handshake request on this ws socket: in the gateway, implement ' +
    'handleConnection(client, request) { return this.logup.authenticateSocket(client, request); }',
  socketNoLoader:
    'LogupGuard found no session on a WebSocket handshake: call useLogupSockets(app, ...) before app.listen() ' +
    '(README, WebSocket gateways)',
  rpcContext:
    'LogupGuard does not authenticate microservice (RPC) messages: they carry no browser session. ' +
    'Authenticate the caller in the transport, pass idSubscription in the message and use LogupService.subscription(id)',
  noSubscriptionRevocation:
    'signOutEverywhere() needs a sessionRevocation store with revokeSubscription() and revokedBefore() ' +
    '(the default in-memory store has them; add them to your own store)',
  socketLoginRequired: 'Log in first: this socket has no LogUp login (or it ended).',
  socketLoginEnded: 'The LogUp login of this socket ended (logout, sign-out everywhere, or expiry).',
  socketTokenRefused: (param: string) =>
    `${param} is never accepted on a socket: log in over HTTP (the callback route), then connect`,
  unsupportedContext: (type: string) =>
    `LogupGuard cannot read a request from a "${type}" context: override getRequest(context) in a subclass`,
  tokenOffCallback: (param: string) =>
    `${param} is accepted only on the LogUp callback route; this route authenticates from the session`,
  tokenOffCallbackLog: (param: string, path: string, callbackPath: string) =>
    `A request to ${path} carried ${param}, which LogupGuard verifies only on the callback route ` +
    `(${callbackPath}, or a route marked @LogupCallback()). Point the gate's redirect URL there.`,
  loginNotStarted: 'This login was not started from this browser, or it took too long. Please log in again.',
  loginNotStartedLog: (why: string) => `LogUp callback refused: ${why}`,
  foreignReferrer: (why: string) => `the callback did not come from LogUp's login page: ${why}`,
  pendingLoginUsed: 'the pending login was already used by another callback (a replayed or copied cookie)',
  noCookieOnCallback:
    'the callback request carried no cookie at all. Most often the login was started on another host name than ' +
    "the callback's (e.g. 127.0.0.1 and localhost): the browser keeps cookies per host, so start the login on the " +
    "host of the gate's redirect URL",
  callbackRefused: 'This address only completes a login opened in the browser. Please log in again.',
  callbackRefusedLog: (why: string) => `LogUp callback not verified: ${why}`,
  sessionUnavailable: 'Your session could not be saved right now. Please try again shortly.',
  sessionStoreFailed: (what: string, error: unknown) =>
    `The session store failed while saving ${what}: ${error instanceof Error ? error.message : String(error)}`,
  callbackErrorRedirect: (code: string) =>
    `This login did not complete (${code}); continue on the site to log in again`,
  crossSiteStart: 'A login can only be started from this site. Use its own Log in button.',
  crossSiteStartLog: (why: string) =>
    `LogupService.startLogin() refused a login started by another site (${why}). Start logins from a form of this ` +
    "site (a POST), or list the other site's origin in trustedOrigins",
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
  duplicateGateSetting: (setting: string, value: string, a: string, b: string) =>
    `The gates "${a}" and "${b}" share the ${setting} ${JSON.stringify(value)}: give each gate its own ` +
    `(${setting === 'sessionKey' ? "one gate's login would overwrite the other's" : 'a callback must belong to one gate'})`,
  networkError: (code: string, host: string) =>
    code === 'ENOTFOUND' || code === 'ECONNREFUSED' || code === 'EAI_AGAIN'
      ? `network error ${code} reaching ${host}: check the baseUrl option (in tests, the emulator's url)`
      : `network error ${code} reaching ${host}`,
  tokenNotFound: (reason: string, url: string) =>
    `LogUp answered access token with HTTP 404 (${reason}) at ${url}: check the baseUrl option ` +
    '(the host only, e.g. "https://api.logup.co") and apiVersion ("v1_0" or "v1_1")',
  rawSession:
    'A session middleware was added with app.use() on Fastify: it sets request.raw.session, which LogupGuard ' +
    'and LogupService.startLogin() do not read, so every LogUp callback would be refused with 400. ' +
    'Register @fastify/secure-session (or @fastify/session) with app.register() instead (README, "Install").',
  baseUrlWithVersion: (version: string) =>
    `ends with the API version "/${version}": give the host only (e.g. "https://api.logup.co") and the version as apiVersion`,
  unknownApiVersion: (version: string) =>
    `apiVersion "${version}" is not one LogUp documents (v1_0, v1_1): if LogUp answers 404, set apiVersion to "v1_1"`,
  twoCopies: (count: number) =>
    `${count} copies of nestjs-logup are loaded in this process (e.g. an ESM import and a CommonJS require(), or two ` +
    'installed versions). Guards, decorators, errors and tokens work across them, but Nest injects classes by ' +
    'identity: inject the service with @InjectLogup() instead of its class, or load the package one way only ' +
    '(one version in node_modules: npm ls nestjs-logup).',
  duplicateName: (name: string) =>
    `LogupModule.forRoot() was called twice with the name "${name}": give each gate its own name`,
} as const;

/** What is wrong with a module option (after `Invalid LogupModule option "<name>": `). */
export const LOGUP_OPTION_PROBLEMS = {
  noOptions: 'LogupModule.forRoot() needs { idGate, secret }',
  required: 'is required',
  nonEmptyString: 'must be a non-empty string',
  notAnOption: (hint: string | undefined) => `is not an option${hint ? `; did you mean "${hint}"?` : ''}`,
  integer: (min: number, max: number, value: unknown) =>
    `must be an integer from ${min} to ${max}, ` +
    (typeof value === 'string'
      ? `received the string ${JSON.stringify(value.slice(0, 20))}; convert it with Number()`
      : `received ${typeof value === 'number' ? value : typeof value}`),
  apiVersion: (pattern: RegExp, value: unknown) =>
    `must match ${pattern.source} (e.g. "v1_1"), got ${JSON.stringify(value)}`,
  queryParam: (pattern: RegExp) => `must match ${pattern.source}`,
  path: 'must be a path starting with "/"',
  baseUrl: 'must be an absolute http(s) URL',
  baseUrlParts: 'must be an http(s) URL without credentials, query or fragment',
  baseUrlInsecure: (origin: string) =>
    `baseUrl ${origin} is not HTTPS: LogUp requires HTTPS; plain HTTP suits only a local emulator`,
  trustedOrigins: 'must be a list of origins such as "https://www.example.com" (scheme, host and port only)',
  object: 'must be an object',
  sessionKey: 'must be a non-empty string or false',
  loginBinding: (choices: readonly string[]) => `must be one of ${choices.map((b) => `"${b}"`).join(', ')}`,
  bindingNeedsSession: (binding: string) => `"${binding}" needs a session: set sessionKey, or loginBinding: 'off'`,
  httpModuleOptions: 'must be an axios config object',
  httpService: 'must be an HttpService from @nestjs/axios',
  callbackErrorUrl: 'must be a non-empty string (a path or an absolute URL) or false',
  loginUrl: 'must be a non-empty string (a path or an absolute URL)',
  boolean: 'must be true or false',
  sessionRevocation: 'must have revoke(sid, expiresAt) and isRevoked(sid) methods',
} as const;
