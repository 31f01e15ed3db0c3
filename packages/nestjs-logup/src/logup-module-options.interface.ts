/** How the client retries idempotent calls (and the token request). */
export interface LogupRetryOptions {
  /** Retries after the first attempt. Default `2`. */
  retries?: number;
  /** First backoff delay in ms; doubles each retry, with jitter. Default `100`. */
  minDelayMs?: number;
  /** Largest backoff delay in ms (also caps a `Retry-After` wait). Default `2000`. */
  maxDelayMs?: number;
  /** Total time one call may take, all attempts and waits included, in ms. Default `15000`. */
  budgetMs?: number;
}

/** Options of `LogupModule.forRoot()` / `forRootAsync()`. Read-only after start-up. */
export interface LogupModuleOptions {
  /** The gate id LogUp gave you (`client_id`), e.g. `gate_3f9c...`. Required. */
  idGate: string;
  /** The gate secret key (`client_secret`). Required. Never logged or put in an error. */
  secret: string;
  /** API version, matching `^v\d{1,2}_\d{1,3}$`. `v1_0` addresses the DB by actor. Default `'v1_1'`. */
  apiVersion?: string;
  /** API host. Default `'https://api.logup.co'`; point it at `logup-emulator` in tests. */
  baseUrl?: string;
  /**
   * Time one HTTP attempt may wait for a connection, or go without receiving anything
   * from LogUp, in ms. Default `5000`.
   */
  timeoutMs?: number;
  /** Retry policy. See {@link LogupRetryOptions}. */
  retry?: LogupRetryOptions;
  /** Keep-alive connections kept open to LogUp at most. Default `32`. */
  maxSockets?: number;
  /** Query parameter the guard reads the callback token from. Default `'logupToken'`. */
  tokenQueryParam?: string;
  /** Query parameter the guard reads `isNewUser` from. Default `'isNewUser'`. */
  isNewUserQueryParam?: string;
  /**
   * Keep the visitor logged in through the request's session (express-session,
   * @fastify/secure-session or any `request.session` object) under this key.
   * `false` turns it off. Default `'logup'`.
   */
  sessionKey?: string | false;
  /**
   * Where the guard sends an unauthenticated browser (a GET that accepts HTML)
   * instead of answering 401. Default: no redirect.
   */
  loginUrl?: string;
}

/** The configuration after defaults and validation (what the library runs on). */
export interface LogupConfig {
  readonly idGate: string;
  readonly secret: string;
  readonly apiVersion: string;
  readonly baseUrl: string;
  /** `${baseUrl}/${apiVersion}` */
  readonly apiUrl: string;
  readonly dbAddressing: 'actor' | 'subscription';
  readonly timeoutMs: number;
  readonly retry: Readonly<Required<LogupRetryOptions>>;
  readonly maxSockets: number;
  readonly tokenQueryParam: string;
  readonly isNewUserQueryParam: string;
  readonly sessionKey: string | false;
  readonly loginUrl?: string;
}

/**
 * A class that supplies the options, for `LogupModule.forRootAsync({ useClass })`
 * or `{ useExisting }`.
 */
export interface LogupOptionsFactory {
  createLogupOptions(): LogupModuleOptions | Promise<LogupModuleOptions>;
}
