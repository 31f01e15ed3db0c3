import type { HttpService } from '@nestjs/axios';
import type { CreateAxiosDefaults } from 'axios';
import type { LogupDbSchema } from '../db/logup.db-schema.js';

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

/**
 * How a callback is tied to the browser that started the login (login CSRF defence):
 * - `'pending'` (default with sessions): the app calls `LogupService.startLogin(request)`
 *   before sending the visitor to LogUp; a callback without that pending login, or
 *   after `pendingLoginTtlSeconds`, is refused. Works with any LogUp.
 * - `'nonce'`: as `'pending'`, and the callback must also carry the login's nonce in
 *   `nonceQueryParam` (the app adds it to the redirect URL; needs a LogUp, like the
 *   emulator, whose redirect keeps its query).
 * - `'off'`: any callback with a valid token logs the browser in (default when
 *   `sessionKey` is `false`).
 */
export type LogupLoginBinding = 'pending' | 'nonce' | 'off';

/**
 * Where logged-out sessions are remembered until they would have expired, so a
 * cookie copied before logout is refused. The default keeps them in process memory;
 * with several replicas, give one store they share (e.g. Redis).
 */
export interface LogupSessionRevocationStore {
  /** Remembers that the session `sid` ended; it need not be kept past `expiresAt` (epoch ms). */
  revoke(sid: string, expiresAt: number): void | Promise<void>;
  /** Whether the session `sid` was ended. */
  isRevoked(sid: string): boolean | Promise<boolean>;
  /**
   * Optional, and recommended with several replicas: records `id` until `expiresAt`
   * (epoch ms) and resolves to `true` only for the first caller, atomically (Redis:
   * `SET key 1 NX PXAT expiresAt`). Makes each pending login single-use across every
   * replica. Without it, single use holds within one process.
   */
  claim?(id: string, expiresAt: number): boolean | Promise<boolean>;
  /**
   * Optional (needed by `LogupService.signOutEverywhere`): remembers that every login
   * of `idSubscription` issued at or before `before` (epoch ms) ended; it need not be
   * kept past `expiresAt` (epoch ms). One record per subscription, whatever the number
   * of its sessions (Redis: `SET prefix+idSubscription before PXAT expiresAt`).
   */
  revokeSubscription?(idSubscription: string, before: number, expiresAt: number): void | Promise<void>;
  /**
   * Optional, with `revokeSubscription`: the `before` of the subscription's last
   * sign-out everywhere (epoch ms), or undefined when there was none. Checked on
   * every guarded request: O(1).
   */
  revokedBefore?(idSubscription: string): number | undefined | Promise<number | undefined>;
}

/** Options of `LogupModule.forRoot()` / `forRootAsync()`. Read-only after start-up. */
export interface LogupModuleOptions {
  /**
   * Settings of the private axios instance the library's `HttpService` runs on (e.g.
   * `proxy` for a corporate forward proxy, `headers`). The library's timeouts, size
   * limits and secret hygiene still apply. Default `{}`.
   */
  httpModuleOptions?: CreateAxiosDefaults;
  /**
   * An `HttpService` of the app's to use instead (its interceptors run on every call;
   * note that the token request's body carries the gate secret). Default: a private one.
   */
  httpService?: HttpService;
  /** The gate id LogUp gave you (`client_id`), e.g. `gate_3f9c...`. Required. */
  idGate: string;
  /** The gate secret key (`client_secret`). Required. Never logged, inspected or put in an error. */
  secret: string;
  /** API version, matching `^v\d{1,2}_\d{1,3}$` (`v1_0` and `v1_1` behave the same). Default `'v1_1'`. */
  apiVersion?: string;
  /** API host. Default `'https://api.logup.co'`; point it at `logup-emulator` in tests. */
  baseUrl?: string;
  /**
   * Wall-clock time one HTTP attempt may take, connect to last byte, in ms (also
   * capped by what is left of `retry.budgetMs`). Default `5000`.
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
   * The path of the callback route (the gate's redirect URL), where the guard accepts
   * `logupToken`. Other routes can be marked with `@LogupCallback()`. A token sent to
   * any other guarded route is refused (400). Default `'/logup/callback'`
   * (`'/logup/<name>/callback'` for a named gate).
   */
  callbackPath?: string;
  /** Login CSRF defence, see {@link LogupLoginBinding}. Default `'pending'` (`'off'` without sessions). */
  loginBinding?: LogupLoginBinding;
  /** Query parameter carrying the login nonce in `'nonce'` mode. Default `'logupNonce'`. */
  nonceQueryParam?: string;
  /**
   * How long a started login waits for its callback, in seconds: the time a visitor
   * has on LogUp's page, and the window in which `'pending'` binding is exposed to a
   * forged callback (README, Security). Default `300`.
   */
  pendingLoginTtlSeconds?: number;
  /**
   * Keep the visitor logged in through the request's session (express-session,
   * cookie-session, @fastify/secure-session or any `request.session` object) under
   * this key. `false` turns it off. Default `'logup'` (`'logup.<name>'` for a named gate).
   */
  sessionKey?: string | false;
  /** A login older than this is refused (checked on the server, whatever the cookie says), in seconds. Default `28800` (8 h). */
  sessionMaxAgeSeconds?: number;
  /** Where logouts are remembered. Default: in process memory. See {@link LogupSessionRevocationStore}. */
  sessionRevocation?: LogupSessionRevocationStore;
  /**
   * Where the guard sends an unauthenticated browser (a GET that accepts HTML)
   * instead of answering 401. Default: no redirect.
   */
  loginUrl?: string;
  /**
   * Origins besides the app's own (e.g. `https://www.example.com`, your marketing
   * site) whose pages may start a login (`startLogin()`) and send visitors to the
   * callback (its `Referer` check). LogUp's own origins are always trusted on the
   * callback. Default `[]`.
   */
  trustedOrigins?: string[];
  /**
   * Where a browser whose callback was refused is sent (303), with
   * `?logupError=not_started|invalid_callback|not_verified|account_switch|logup_unavailable`
   * for the page to explain; API clients (not asking for HTML) keep the JSON answer.
   * `false` keeps JSON for everyone. Default: `loginUrl`, else `'/'`.
   */
  callbackErrorUrl?: string | false;
  /** Health checks reach LogUp at most once per this many ms; between, the last result is reported. Default `30000`. */
  healthCheckIntervalMs?: number;
  /**
   * Whether a library error thrown in the app's own routes and resolvers becomes
   * its HTTP answer (400 / 502 / 503 / 504, GraphQL codes in resolvers) instead of
   * a 500. Default `true`; `false` (on every registration) leaves them to the app's filters.
   */
  mapErrors?: boolean;
  /**
   * A Standard Schema (zod, valibot, arktype, ...) of the subscription DB: every DB
   * read from LogUp is validated with it (its defaults apply; a DB that still does
   * not match throws `LogupDbSchemaError`), and `updateDb` / `changeDb` check their
   * input with it before sending anything. Register it with `LogupRegister` to type
   * `LogupSubscription`. Default: none (LogUp's limits are still checked).
   */
  dbSchema?: LogupDbSchema;
}

/** The configuration after defaults and validation (what the library runs on). */
export interface LogupConfig {
  /** The instance's name (`'default'` unless `forRoot({ name })`). */
  readonly name: string;
  readonly idGate: string;
  /** The gate secret: readable, but neither enumerable, inspectable nor serializable. */
  readonly secret: string;
  readonly apiVersion: string;
  readonly baseUrl: string;
  /** `${baseUrl}/${apiVersion}` */
  readonly apiUrl: string;
  readonly timeoutMs: number;
  readonly retry: Readonly<Required<LogupRetryOptions>>;
  readonly maxSockets: number;
  readonly tokenQueryParam: string;
  readonly isNewUserQueryParam: string;
  readonly callbackPath: string;
  readonly loginBinding: LogupLoginBinding;
  readonly nonceQueryParam: string;
  readonly pendingLoginTtlSeconds: number;
  readonly sessionKey: string | false;
  readonly sessionMaxAgeSeconds: number;
  readonly sessionRevocation: LogupSessionRevocationStore;
  readonly loginUrl?: string;
  readonly trustedOrigins: readonly string[];
  readonly callbackErrorUrl?: string | false;
  readonly healthCheckIntervalMs: number;
  readonly mapErrors: boolean;
  /** The DB schema, when given (`dbSchema`); in logs and JSON it shows as `[dbSchema <vendor>]`. */
  readonly dbSchema?: LogupDbSchema;
}

/**
 * A class that supplies the options, for `LogupModule.forRootAsync({ useClass })`
 * or `{ useExisting }`.
 */
export interface LogupOptionsFactory {
  createLogupOptions(): LogupModuleOptions | Promise<LogupModuleOptions>;
}
