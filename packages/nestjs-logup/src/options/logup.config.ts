import { Logger } from '@nestjs/common';
import { dbSchemaOption } from '../db/logup.db-schema.js';
import { LogupConfigurationError } from '../errors/logup.errors.js';
import { LOGUP_MESSAGES, LOGUP_OPTION_PROBLEMS as PROBLEMS } from '../errors/logup.messages.js';
import { LOGUP_API_VERSION_PATTERN, LOGUP_DEFAULT_API_VERSION, LOGUP_DEFAULT_NAME } from '../logup.constants.js';
import { MemorySessionRevocationStore } from '../session/logup.revocation.js';
import type {
  LogupConfig,
  LogupLoginBinding,
  LogupModuleOptions,
  LogupSessionRevocationStore,
} from './logup-module-options.interface.js';
import { LogupOptionReader } from './logup.option-reader.js';
import {
  defaultCallbackPath,
  defaultSessionKey,
  LOGUP_INTEGER_OPTIONS as INTEGERS,
  LOGUP_OPTION_NAMES,
  LOGUP_QUERY_PARAM_OPTIONS as QUERY_PARAMS,
  LOGUP_RETRY_OPTIONS as RETRY,
  QUERY_PARAM_PATTERN,
} from './logup.option-rules.js';
import { SecretHolder } from './logup.secret-holder.js';

const LOGIN_BINDINGS: readonly LogupLoginBinding[] = ['pending', 'nonce', 'off'];
const DOCUMENTED_API_VERSIONS = ['v1_0', 'v1_1'];

type Raw = Record<string, unknown>;

function isRevocationStore(value: unknown): value is LogupSessionRevocationStore {
  const store = value as LogupSessionRevocationStore | undefined;
  return typeof store?.revoke === 'function' && typeof store.isRevoked === 'function';
}

const isNonEmptyString = (value: unknown): boolean => typeof value === 'string' && value !== '';

/** `idGate`, `secret`, `apiVersion` and `baseUrl`: where the calls go and as whom. */
function readGate(raw: Raw, read: LogupOptionReader) {
  const idGate = read.required(raw.idGate, 'idGate').trim();
  const secret = read.required(raw.secret, 'secret');
  const versionRule = PROBLEMS.apiVersion(LOGUP_API_VERSION_PATTERN, raw.apiVersion);
  const apiVersion = read.string(
    raw.apiVersion,
    'apiVersion',
    LOGUP_DEFAULT_API_VERSION,
    LOGUP_API_VERSION_PATTERN,
    versionRule,
  );
  if (!DOCUMENTED_API_VERSIONS.includes(apiVersion)) {
    new Logger('LogupModule').warn(LOGUP_MESSAGES.unknownApiVersion(apiVersion));
  }
  const baseUrl = read.baseUrl(raw.baseUrl);
  return { secret, fields: { idGate, apiVersion, baseUrl, apiUrl: `${baseUrl}/${apiVersion}` } };
}

/** `timeoutMs`, `retry` and `maxSockets`: how calls are made. */
function readCalls(raw: Raw, read: LogupOptionReader) {
  const retry = (typeof raw.retry === 'object' && raw.retry !== null ? raw.retry : {}) as Raw;
  if (raw.retry !== undefined && retry !== raw.retry) read.problem('retry', PROBLEMS.object);
  read.unknownKeys(retry, Object.keys(RETRY), 'retry.');
  return {
    timeoutMs: read.integer(raw.timeoutMs, 'timeoutMs', INTEGERS.timeoutMs),
    retry: Object.freeze({
      retries: read.integer(retry.retries, 'retry.retries', RETRY.retries),
      minDelayMs: read.integer(retry.minDelayMs, 'retry.minDelayMs', RETRY.minDelayMs),
      maxDelayMs: read.integer(retry.maxDelayMs, 'retry.maxDelayMs', RETRY.maxDelayMs),
      budgetMs: read.integer(retry.budgetMs, 'retry.budgetMs', RETRY.budgetMs),
    }),
    maxSockets: read.integer(raw.maxSockets, 'maxSockets', INTEGERS.maxSockets),
  };
}

/** The callback: its path, query parameters, login binding and refusal page. */
function readCallback(raw: Raw, read: LogupOptionReader, name: string, sessionKey: unknown) {
  const param = (option: keyof typeof QUERY_PARAMS) =>
    read.string(
      raw[option],
      option,
      QUERY_PARAMS[option],
      QUERY_PARAM_PATTERN,
      PROBLEMS.queryParam(QUERY_PARAM_PATTERN),
    );
  const loginBinding = (raw.loginBinding ?? (sessionKey === false ? 'off' : 'pending')) as LogupLoginBinding;
  if (!LOGIN_BINDINGS.includes(loginBinding)) read.problem('loginBinding', PROBLEMS.loginBinding(LOGIN_BINDINGS));
  else if (loginBinding !== 'off' && sessionKey === false) {
    read.problem('loginBinding', PROBLEMS.bindingNeedsSession(loginBinding));
  }
  const callbackErrorUrl = raw.callbackErrorUrl as string | false | undefined;
  read.check(
    callbackErrorUrl,
    'callbackErrorUrl',
    (v) => v === false || isNonEmptyString(v),
    PROBLEMS.callbackErrorUrl,
  );
  return {
    tokenQueryParam: param('tokenQueryParam'),
    isNewUserQueryParam: param('isNewUserQueryParam'),
    callbackPath: read.string(
      raw.callbackPath,
      'callbackPath',
      defaultCallbackPath(name),
      /^\/[\x21-\x7e]*$/,
      PROBLEMS.path,
    ),
    loginBinding,
    nonceQueryParam: param('nonceQueryParam'),
    pendingLoginTtlSeconds: read.integer(
      raw.pendingLoginTtlSeconds,
      'pendingLoginTtlSeconds',
      INTEGERS.pendingLoginTtlSeconds,
    ),
    trustedOrigins: read.origins(raw.trustedOrigins),
    callbackErrorUrl,
  };
}

/** The session: its key, lifetime and revocation store, and where to send a visitor without one. */
function readSession(raw: Raw, read: LogupOptionReader, sessionKey: unknown) {
  read.check(raw.loginUrl, 'loginUrl', isNonEmptyString, PROBLEMS.loginUrl);
  read.check(raw.sessionRevocation, 'sessionRevocation', isRevocationStore, PROBLEMS.sessionRevocation);
  return {
    sessionKey: sessionKey as string | false,
    sessionMaxAgeSeconds: read.integer(raw.sessionMaxAgeSeconds, 'sessionMaxAgeSeconds', INTEGERS.sessionMaxAgeSeconds),
    sessionRevocation: isRevocationStore(raw.sessionRevocation)
      ? raw.sessionRevocation
      : new MemorySessionRevocationStore(),
    loginUrl: raw.loginUrl as string | undefined,
  };
}

/** The rest: the HTTP service options, health checks, error mapping and the DB schema. */
function readRest(raw: Raw, read: LogupOptionReader) {
  const isObject = (v: unknown) => typeof v === 'object' && v !== null;
  read.check(raw.httpModuleOptions, 'httpModuleOptions', isObject, PROBLEMS.httpModuleOptions);
  const isHttpService = (v: unknown) => typeof (v as { axiosRef?: unknown }).axiosRef === 'function';
  read.check(raw.httpService, 'httpService', isHttpService, PROBLEMS.httpService);
  read.check(raw.mapErrors, 'mapErrors', (v) => typeof v === 'boolean', PROBLEMS.boolean);
  return {
    healthCheckIntervalMs: read.integer(
      raw.healthCheckIntervalMs,
      'healthCheckIntervalMs',
      INTEGERS.healthCheckIntervalMs,
    ),
    mapErrors: raw.mapErrors !== false,
    dbSchema: dbSchemaOption(raw.dbSchema, read.problems),
  };
}

/**
 * Applies defaults to the module options and validates them. Throws one
 * {@link LogupConfigurationError} listing every problem, naming each option (never
 * echoing the secret); an unknown key gets the closest valid name.
 * @param name the gate's name (`forRoot({ name })`), which names its default session key and callback path.
 * @returns the frozen configuration; its `secret` is out of `inspect` and JSON.
 */
export function resolveLogupConfig(options: LogupModuleOptions | undefined, name = LOGUP_DEFAULT_NAME): LogupConfig {
  if (typeof options !== 'object' || options === null) {
    throw new LogupConfigurationError([{ option: 'options', problem: PROBLEMS.noOptions }]);
  }
  const raw = options as unknown as Raw;
  const read = new LogupOptionReader();
  read.unknownKeys(raw, LOGUP_OPTION_NAMES);
  const sessionKey = raw.sessionKey ?? defaultSessionKey(name);
  const gate = readGate(raw, read);
  read.check(sessionKey, 'sessionKey', (v) => v === false || isNonEmptyString(v), PROBLEMS.sessionKey);
  const fields: Omit<LogupConfig, 'secret'> = {
    name,
    ...gate.fields,
    ...readCalls(raw, read),
    ...readCallback(raw, read, name, sessionKey),
    ...readSession(raw, read, sessionKey),
    ...readRest(raw, read),
  };
  if (read.problems.length > 0) throw new LogupConfigurationError(read.problems);
  return new SecretHolder('LogupConfig', gate.secret, fields) as unknown as LogupConfig;
}
