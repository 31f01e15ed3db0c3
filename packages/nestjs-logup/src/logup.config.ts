import { Logger } from '@nestjs/common';
import { LOGUP_API_VERSION_PATTERN, LOGUP_DEFAULT_API_VERSION, LOGUP_DEFAULT_BASE_URL } from './logup.constants.js';
import { LogupConfigurationError } from './logup.errors.js';
import type { LogupConfig, LogupModuleOptions } from './logup-module-options.interface.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const QUERY_PARAM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** `v1_0` (and older) address the DB by actor; `v1_1` and later by subscription. */
export function dbAddressingOf(apiVersion: string): 'actor' | 'subscription' {
  const [major, minor] = apiVersion.slice(1).split('_').map(Number);
  return major < 1 || (major === 1 && minor === 0) ? 'actor' : 'subscription';
}

function nonEmptyString(options: Record<string, unknown>, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new LogupConfigurationError(name, value === undefined ? 'is required' : 'must be a non-empty string');
  }
  return value;
}

function integer(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new LogupConfigurationError(name, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * Applies defaults to the module options and validates them. Throws
 * {@link LogupConfigurationError} naming the option (never echoing the secret).
 */
export function resolveLogupConfig(options: LogupModuleOptions | undefined): LogupConfig {
  if (typeof options !== 'object' || options === null) {
    throw new LogupConfigurationError('options', 'LogupModule.forRoot() needs { idGate, secret }');
  }
  const raw = options as unknown as Record<string, unknown>;
  const idGate = nonEmptyString(raw, 'idGate').trim();
  const secret = nonEmptyString(raw, 'secret');

  const apiVersion = options.apiVersion ?? LOGUP_DEFAULT_API_VERSION;
  if (typeof apiVersion !== 'string' || !LOGUP_API_VERSION_PATTERN.test(apiVersion)) {
    throw new LogupConfigurationError(
      'apiVersion',
      `must match ${LOGUP_API_VERSION_PATTERN.source} (e.g. "v1_1"), got ${JSON.stringify(apiVersion)}`,
    );
  }

  const baseUrlText = options.baseUrl ?? LOGUP_DEFAULT_BASE_URL;
  let baseUrl: URL;
  try {
    baseUrl = new URL(baseUrlText);
  } catch {
    throw new LogupConfigurationError('baseUrl', 'must be an absolute http(s) URL');
  }
  if (!['http:', 'https:'].includes(baseUrl.protocol) || baseUrl.search || baseUrl.hash || baseUrl.username) {
    throw new LogupConfigurationError('baseUrl', 'must be an http(s) URL without credentials, query or fragment');
  }
  if (baseUrl.protocol === 'http:' && !LOOPBACK_HOSTS.has(baseUrl.hostname)) {
    new Logger('LogupModule').warn(
      `baseUrl ${baseUrl.origin} is not HTTPS: LogUp requires HTTPS; plain HTTP suits only a local emulator`,
    );
  }

  const retry = options.retry ?? {};
  const tokenQueryParam = options.tokenQueryParam ?? 'logupToken';
  const isNewUserQueryParam = options.isNewUserQueryParam ?? 'isNewUser';
  for (const [name, value] of [
    ['tokenQueryParam', tokenQueryParam],
    ['isNewUserQueryParam', isNewUserQueryParam],
  ] as const) {
    if (typeof value !== 'string' || !QUERY_PARAM_PATTERN.test(value)) {
      throw new LogupConfigurationError(name, `must match ${QUERY_PARAM_PATTERN.source}`);
    }
  }
  const sessionKey = options.sessionKey ?? 'logup';
  if (sessionKey !== false && (typeof sessionKey !== 'string' || sessionKey === '')) {
    throw new LogupConfigurationError('sessionKey', 'must be a non-empty string or false');
  }
  if (options.loginUrl !== undefined && (typeof options.loginUrl !== 'string' || options.loginUrl === '')) {
    throw new LogupConfigurationError('loginUrl', 'must be a non-empty string (a path or an absolute URL)');
  }

  const base = baseUrl.toString().replace(/\/+$/, '');
  return Object.freeze({
    idGate,
    secret,
    apiVersion,
    baseUrl: base,
    apiUrl: `${base}/${apiVersion}`,
    dbAddressing: dbAddressingOf(apiVersion),
    timeoutMs: integer(options.timeoutMs, 'timeoutMs', 5000, 1, 300_000),
    retry: Object.freeze({
      retries: integer(retry.retries, 'retry.retries', 2, 0, 10),
      minDelayMs: integer(retry.minDelayMs, 'retry.minDelayMs', 100, 0, 60_000),
      maxDelayMs: integer(retry.maxDelayMs, 'retry.maxDelayMs', 2000, 0, 300_000),
      budgetMs: integer(retry.budgetMs, 'retry.budgetMs', 15_000, 1, 600_000),
    }),
    maxSockets: integer(options.maxSockets, 'maxSockets', 32, 1, 1024),
    tokenQueryParam,
    isNewUserQueryParam,
    sessionKey,
    loginUrl: options.loginUrl,
  });
}
