import { Logger } from '@nestjs/common';
import { dbSchemaOption } from '../db/logup.db-schema.js';
import { LOGUP_API_VERSION_PATTERN, LOGUP_DEFAULT_API_VERSION, LOGUP_DEFAULT_BASE_URL } from '../logup.constants.js';
import { LogupConfigurationError } from '../errors/logup.errors.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import type {
  LogupConfig,
  LogupLoginBinding,
  LogupModuleOptions,
  LogupSessionRevocationStore,
} from './logup-module-options.interface.js';
import { MemorySessionRevocationStore } from '../session/logup.revocation.js';
import { SecretHolder } from './logup.secret-holder.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const QUERY_PARAM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const LOGIN_BINDINGS: readonly LogupLoginBinding[] = ['pending', 'nonce', 'off'];

/** Every option name, for the "did you mean" of an unknown key. */
const OPTION_NAMES: readonly string[] = [
  'idGate',
  'secret',
  'apiVersion',
  'baseUrl',
  'timeoutMs',
  'retry',
  'maxSockets',
  'tokenQueryParam',
  'isNewUserQueryParam',
  'callbackPath',
  'loginBinding',
  'nonceQueryParam',
  'pendingLoginTtlSeconds',
  'sessionKey',
  'sessionMaxAgeSeconds',
  'sessionRevocation',
  'loginUrl',
  'trustedOrigins',
  'callbackErrorUrl',
  'healthCheckIntervalMs',
  'mapErrors',
  'dbSchema',
  'httpModuleOptions',
  'httpService',
  'isGlobal',
  'name',
];
const RETRY_NAMES: readonly string[] = ['retries', 'minDelayMs', 'maxDelayMs', 'budgetMs'];

type Problem = { option: string; problem: string };

/** Levenshtein distance, case-insensitive (for suggestions only). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length];
}

function unknownKeys(raw: Record<string, unknown>, known: readonly string[], prefix: string, problems: Problem[]) {
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const closest = [...known].sort((a, b) => distance(key, a) - distance(key, b))[0];
    const hint =
      distance(key, closest) <= Math.max(2, Math.floor(key.length / 3)) ? `; did you mean "${prefix}${closest}"?` : '';
    problems.push({ option: `${prefix}${key}`, problem: `is not an option${hint}` });
  }
}

/** Reads options, collecting every problem instead of stopping at the first. */
class OptionReader {
  readonly problems: Problem[] = [];

  integer(value: unknown, name: string, fallback: number, min: number, max: number): number {
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    const got =
      typeof value === 'string'
        ? `received the string ${JSON.stringify(value.slice(0, 20))}; convert it with Number()`
        : `received ${typeof value === 'number' ? value : typeof value}`;
    this.problems.push({ option: name, problem: `must be an integer from ${min} to ${max}, ${got}` });
    return fallback;
  }

  string(value: unknown, name: string, fallback: string, pattern: RegExp, rule: string): string {
    if (value === undefined) return fallback;
    if (typeof value === 'string' && pattern.test(value)) return value;
    this.problems.push({ option: name, problem: rule });
    return fallback;
  }

  required(value: unknown, name: string): string {
    if (typeof value === 'string' && value.trim() !== '') return value;
    this.problems.push({ option: name, problem: value === undefined ? 'is required' : 'must be a non-empty string' });
    return '';
  }
}

function readBaseUrl(value: unknown, reader: OptionReader): string {
  const text = value ?? LOGUP_DEFAULT_BASE_URL;
  let url: URL;
  try {
    if (typeof text !== 'string') throw new TypeError('not a string');
    url = new URL(text);
  } catch {
    reader.problems.push({ option: 'baseUrl', problem: 'must be an absolute http(s) URL' });
    return LOGUP_DEFAULT_BASE_URL;
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username || url.password) {
    reader.problems.push({
      option: 'baseUrl',
      problem: 'must be an http(s) URL without credentials, query or fragment',
    });
  } else if (/\/(v\d{1,2}_\d{1,3})\/*$/.test(url.pathname)) {
    reader.problems.push({
      option: 'baseUrl',
      problem: LOGUP_MESSAGES.baseUrlWithVersion(/\/(v\d{1,2}_\d{1,3})\/*$/.exec(url.pathname)![1]),
    });
  } else if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    new Logger('LogupModule').warn(
      `baseUrl ${url.origin} is not HTTPS: LogUp requires HTTPS; plain HTTP suits only a local emulator`,
    );
  }
  return url.toString().replace(/\/+$/, '');
}

/** `trustedOrigins`: absolute http(s) origins (no path, query or credentials). */
function readOrigins(value: unknown, reader: OptionReader): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  const rule = 'must be a list of origins such as "https://www.example.com" (scheme, host and port only)';
  if (!Array.isArray(value)) {
    reader.problems.push({ option: 'trustedOrigins', problem: rule });
    return Object.freeze([]);
  }
  const origins: string[] = [];
  for (const [i, item] of value.entries()) {
    let url: URL | undefined;
    try {
      url = typeof item === 'string' ? new URL(item) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== String(item).replace(/\/$/, '')) {
      reader.problems.push({ option: `trustedOrigins[${i}]`, problem: rule });
    } else origins.push(url.origin);
  }
  return Object.freeze(origins);
}

function isRevocationStore(value: unknown): value is LogupSessionRevocationStore {
  const store = value as LogupSessionRevocationStore | undefined;
  return typeof store?.revoke === 'function' && typeof store.isRevoked === 'function';
}

/**
 * Applies defaults to the module options and validates them. Throws one
 * {@link LogupConfigurationError} listing every problem, naming each option (never
 * echoing the secret); an unknown key gets the closest valid name.
 */
export function resolveLogupConfig(options: LogupModuleOptions | undefined, name = 'default'): LogupConfig {
  if (typeof options !== 'object' || options === null) {
    throw new LogupConfigurationError([
      { option: 'options', problem: 'LogupModule.forRoot() needs { idGate, secret }' },
    ]);
  }
  const raw = options as unknown as Record<string, unknown>;
  const read = new OptionReader();
  unknownKeys(raw, OPTION_NAMES, '', read.problems);
  const idGate = read.required(raw.idGate, 'idGate').trim();
  const secret = read.required(raw.secret, 'secret');
  const apiVersion = read.string(
    raw.apiVersion,
    'apiVersion',
    LOGUP_DEFAULT_API_VERSION,
    LOGUP_API_VERSION_PATTERN,
    `must match ${LOGUP_API_VERSION_PATTERN.source} (e.g. "v1_1"), got ${JSON.stringify(raw.apiVersion)}`,
  );
  if (!['v1_0', 'v1_1'].includes(apiVersion))
    new Logger('LogupModule').warn(LOGUP_MESSAGES.unknownApiVersion(apiVersion));
  const baseUrl = readBaseUrl(raw.baseUrl, read);
  const retry = (typeof raw.retry === 'object' && raw.retry !== null ? raw.retry : {}) as Record<string, unknown>;
  if (raw.retry !== undefined && retry !== raw.retry)
    read.problems.push({ option: 'retry', problem: 'must be an object' });
  unknownKeys(retry, RETRY_NAMES, 'retry.', read.problems);
  const named = name !== 'default';
  const sessionKey = raw.sessionKey ?? (named ? `logup.${name}` : 'logup');
  if (sessionKey !== false && (typeof sessionKey !== 'string' || sessionKey === '')) {
    read.problems.push({ option: 'sessionKey', problem: 'must be a non-empty string or false' });
  }
  const loginBinding = (raw.loginBinding ?? (sessionKey === false ? 'off' : 'pending')) as LogupLoginBinding;
  if (!LOGIN_BINDINGS.includes(loginBinding)) {
    read.problems.push({
      option: 'loginBinding',
      problem: `must be one of ${LOGIN_BINDINGS.map((b) => `"${b}"`).join(', ')}`,
    });
  } else if (loginBinding !== 'off' && sessionKey === false) {
    read.problems.push({
      option: 'loginBinding',
      problem: `"${loginBinding}" needs a session: set sessionKey, or loginBinding: 'off'`,
    });
  }
  if (
    raw.httpModuleOptions !== undefined &&
    (typeof raw.httpModuleOptions !== 'object' || raw.httpModuleOptions === null)
  ) {
    read.problems.push({ option: 'httpModuleOptions', problem: 'must be an axios config object' });
  }
  if (raw.httpService !== undefined && typeof (raw.httpService as { axiosRef?: unknown }).axiosRef !== 'function') {
    read.problems.push({ option: 'httpService', problem: 'must be an HttpService from @nestjs/axios' });
  }
  if (
    raw.callbackErrorUrl !== undefined &&
    raw.callbackErrorUrl !== false &&
    (typeof raw.callbackErrorUrl !== 'string' || raw.callbackErrorUrl === '')
  ) {
    read.problems.push({
      option: 'callbackErrorUrl',
      problem: 'must be a non-empty string (a path or an absolute URL) or false',
    });
  }
  if (raw.loginUrl !== undefined && (typeof raw.loginUrl !== 'string' || raw.loginUrl === '')) {
    read.problems.push({ option: 'loginUrl', problem: 'must be a non-empty string (a path or an absolute URL)' });
  }
  if (raw.mapErrors !== undefined && typeof raw.mapErrors !== 'boolean') {
    read.problems.push({ option: 'mapErrors', problem: 'must be true or false' });
  }
  if (raw.sessionRevocation !== undefined && !isRevocationStore(raw.sessionRevocation)) {
    read.problems.push({
      option: 'sessionRevocation',
      problem: 'must have revoke(sid, expiresAt) and isRevoked(sid) methods',
    });
  }
  const trustedOrigins = readOrigins(raw.trustedOrigins, read);
  const paramRule = `must match ${QUERY_PARAM_PATTERN.source}`;
  const fields: Omit<LogupConfig, 'secret'> = {
    name,
    idGate,
    apiVersion,
    baseUrl,
    apiUrl: `${baseUrl}/${apiVersion}`,
    timeoutMs: read.integer(raw.timeoutMs, 'timeoutMs', 5000, 1, 300_000),
    retry: Object.freeze({
      retries: read.integer(retry.retries, 'retry.retries', 2, 0, 10),
      minDelayMs: read.integer(retry.minDelayMs, 'retry.minDelayMs', 100, 0, 60_000),
      maxDelayMs: read.integer(retry.maxDelayMs, 'retry.maxDelayMs', 2000, 0, 300_000),
      budgetMs: read.integer(retry.budgetMs, 'retry.budgetMs', 15_000, 1, 600_000),
    }),
    maxSockets: read.integer(raw.maxSockets, 'maxSockets', 32, 1, 1024),
    tokenQueryParam: read.string(raw.tokenQueryParam, 'tokenQueryParam', 'logupToken', QUERY_PARAM_PATTERN, paramRule),
    isNewUserQueryParam: read.string(
      raw.isNewUserQueryParam,
      'isNewUserQueryParam',
      'isNewUser',
      QUERY_PARAM_PATTERN,
      paramRule,
    ),
    callbackPath: read.string(
      raw.callbackPath,
      'callbackPath',
      named ? `/logup/${encodeURIComponent(name)}/callback` : '/logup/callback',
      /^\/[\x21-\x7e]*$/,
      'must be a path starting with "/"',
    ),
    loginBinding,
    nonceQueryParam: read.string(raw.nonceQueryParam, 'nonceQueryParam', 'logupNonce', QUERY_PARAM_PATTERN, paramRule),
    pendingLoginTtlSeconds: read.integer(raw.pendingLoginTtlSeconds, 'pendingLoginTtlSeconds', 300, 1, 86_400),
    sessionKey: sessionKey as string | false,
    sessionMaxAgeSeconds: read.integer(raw.sessionMaxAgeSeconds, 'sessionMaxAgeSeconds', 28_800, 1, 31_536_000),
    sessionRevocation: isRevocationStore(raw.sessionRevocation)
      ? raw.sessionRevocation
      : new MemorySessionRevocationStore(),
    loginUrl: raw.loginUrl as string | undefined,
    trustedOrigins,
    callbackErrorUrl: raw.callbackErrorUrl as string | false | undefined,
    healthCheckIntervalMs: read.integer(raw.healthCheckIntervalMs, 'healthCheckIntervalMs', 30_000, 0, 86_400_000),
    mapErrors: raw.mapErrors !== false,
    dbSchema: dbSchemaOption(raw.dbSchema, read.problems),
  };
  if (read.problems.length > 0) throw new LogupConfigurationError(read.problems);
  return new SecretHolder('LogupConfig', secret, fields) as unknown as LogupConfig;
}
