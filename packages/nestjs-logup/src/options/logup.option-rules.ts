import { LOGUP_DEFAULT_NAME } from '../logup.constants.js';
import type { LogupModuleOptions, LogupRetryOptions } from './logup-module-options.interface.js';

/** An integer option: its default and its range (inclusive). */
export interface LogupIntegerRule {
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Every option `forRoot()` takes, derived from the options type (plus Nest's
 * `isGlobal` and the gate `name`): adding an option to `LogupModuleOptions` without
 * adding it here fails to compile. Used for the "did you mean" of an unknown key.
 */
export const LOGUP_OPTION_NAMES: readonly string[] = Object.keys({
  idGate: true,
  secret: true,
  apiVersion: true,
  baseUrl: true,
  timeoutMs: true,
  retry: true,
  maxSockets: true,
  tokenQueryParam: true,
  isNewUserQueryParam: true,
  callbackPath: true,
  loginBinding: true,
  nonceQueryParam: true,
  pendingLoginTtlSeconds: true,
  sessionKey: true,
  sessionMaxAgeSeconds: true,
  sessionRevocation: true,
  loginUrl: true,
  trustedOrigins: true,
  callbackErrorUrl: true,
  healthCheckIntervalMs: true,
  mapErrors: true,
  dbSchema: true,
  httpModuleOptions: true,
  httpService: true,
  isGlobal: true,
  name: true,
} satisfies Record<keyof LogupModuleOptions | 'isGlobal' | 'name', true>);

/** The integer options, each default and range written once (the options' docs repeat the defaults). */
export const LOGUP_INTEGER_OPTIONS = Object.freeze({
  timeoutMs: { default: 5000, min: 1, max: 300_000 },
  maxSockets: { default: 32, min: 1, max: 1024 },
  pendingLoginTtlSeconds: { default: 300, min: 1, max: 86_400 },
  sessionMaxAgeSeconds: { default: 28_800, min: 1, max: 31_536_000 },
  healthCheckIntervalMs: { default: 30_000, min: 0, max: 86_400_000 },
} satisfies Partial<Record<keyof LogupModuleOptions, LogupIntegerRule>>);

/** The `retry` options, each default and range written once. */
export const LOGUP_RETRY_OPTIONS = Object.freeze({
  retries: { default: 2, min: 0, max: 10 },
  minDelayMs: { default: 100, min: 0, max: 60_000 },
  maxDelayMs: { default: 2000, min: 0, max: 300_000 },
  budgetMs: { default: 15_000, min: 1, max: 600_000 },
} satisfies Record<keyof LogupRetryOptions, LogupIntegerRule>);

/** The query parameter options and their defaults (LogUp's own names for the callback's two). */
export const LOGUP_QUERY_PARAM_OPTIONS = Object.freeze({
  tokenQueryParam: 'logupToken',
  isNewUserQueryParam: 'isNewUser',
  nonceQueryParam: 'logupNonce',
} satisfies Partial<Record<keyof LogupModuleOptions, string>>);

/** What a query parameter name may be. */
export const QUERY_PARAM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** The default `sessionKey` of a gate: `'logup'`, or `'logup.<name>'` for a named gate. */
export const defaultSessionKey = (name: string = LOGUP_DEFAULT_NAME): string =>
  name === LOGUP_DEFAULT_NAME ? 'logup' : `logup.${name}`;

/** The default `callbackPath` of a gate: `/logup/callback`, or `/logup/<name>/callback`. */
export const defaultCallbackPath = (name: string): string =>
  name === LOGUP_DEFAULT_NAME ? '/logup/callback' : `/logup/${encodeURIComponent(name)}/callback`;

/**
 * The session entries of a gate, all under its `sessionKey`: the login itself, the
 * pending login of `startLogin()` (`<key>:pending`) and the marker a renewed session
 * keeps of the login it became (`<key>:renewed`).
 */
export const logupSessionKeys = (sessionKey: string) =>
  ({ login: sessionKey, pending: `${sessionKey}:pending`, renewed: `${sessionKey}:renewed` }) as const;

/** Whether a session key is a gate's pending login or renewal marker (each serves one callback). */
export const isOneCallbackSessionKey = (key: string): boolean => key.endsWith(':pending') || key.endsWith(':renewed');
