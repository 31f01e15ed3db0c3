import { LOGUP_MESSAGES } from './logup.messages.js';

export { LOGUP_MESSAGES };

/** One thing wrong with an input: where (`data["age"]`, `keys[2]`, `logupToken`) and why. */
export interface LogupValidationIssue {
  path: string;
  message: string;
}

/** The stable codes of {@link LogupError}, to branch on. */
export type LogupErrorCode =
  | 'LOGUP_CONFIGURATION'
  | 'LOGUP_VALIDATION'
  | 'LOGUP_DB_SCHEMA'
  | 'LOGUP_CREDENTIALS'
  | 'LOGUP_API'
  | 'LOGUP_UNAVAILABLE'
  | 'LOGUP_NO_GUARD'
  | 'LOGUP_UNSUPPORTED_CONTEXT';

/** Why LogUp could not be used. */
export type LogupUnavailableReason = 'network' | 'timeout' | 'status' | 'malformed_response';

// Brands survive two copies of the library in one process (a CommonJS and an ESM
// build): `instanceof` compares the class names an error was made of, not identities.
const KINDS = Symbol.for('nestjs-logup.error.kinds');
const ownHasInstance = Function.prototype[Symbol.hasInstance];

/** Base class of every error this library throws. */
export class LogupError extends Error {
  /** A stable code to branch on. */
  readonly code: LogupErrorCode;
  declare readonly [KINDS]: readonly string[];

  constructor(code: LogupErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    const kinds: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      kinds.push((c as { name: string }).name);
    }
    Object.defineProperty(this, KINDS, { value: Object.freeze(kinds) });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (ownHasInstance.call(this, value)) return true;
    const kinds = (value as { [KINDS]?: unknown } | null | undefined)?.[KINDS];
    return Array.isArray(kinds) && kinds.includes(this.name);
  }

  /** A safe summary (no stack, no cause, no request details). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** The module options are wrong; thrown while the application boots. Lists every problem. */
export class LogupConfigurationError extends LogupError {
  /** The first option named (all of them are in `problems`). */
  readonly option: string;
  constructor(readonly problems: readonly { option: string; problem: string }[]) {
    super(
      'LOGUP_CONFIGURATION',
      LOGUP_MESSAGES.configurationList(problems.map((p) => LOGUP_MESSAGES.configuration(p.option, p.problem))),
    );
    this.option = problems[0]?.option ?? 'options';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), problems: this.problems };
  }
}

/** An input breaks LogUp's contract or limits; nothing was sent to LogUp. */
export class LogupValidationError extends LogupError {
  constructor(
    what: string,
    readonly issues: LogupValidationIssue[],
  ) {
    super('LOGUP_VALIDATION', LOGUP_MESSAGES.validation(what, issues));
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/**
 * A DB LogUp holds does not match the `dbSchema` (after the schema's own defaults):
 * the app gets this instead of data whose types would lie. `applied` tells whether
 * the call had already changed the DB (an update whose answer did not match).
 * Repair it with `updateDb` / `deleteDbValues` on the keys named in `issues`.
 */
export class LogupDbSchemaError extends LogupError {
  constructor(
    readonly operation: string,
    readonly idSubscription: string,
    readonly issues: LogupValidationIssue[],
    readonly applied = false,
  ) {
    super('LOGUP_DB_SCHEMA', LOGUP_MESSAGES.dbSchema(operation, idSubscription, issues, applied));
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      operation: this.operation,
      idSubscription: this.idSubscription,
      issues: this.issues,
      applied: this.applied,
    };
  }
}

/** What {@link LogupApiError} is made of. */
export interface LogupApiErrorOptions {
  /** The call: `verification`, `getDb`, `access token`, ... */
  operation: string;
  status: number;
  /** LogUp's reason (sanitized, at most 200 characters), or `HTTP_<status>`. */
  errorMessage: string;
}

/** LogUp answered with an error status that is not a transient one (e.g. 400, 404). */
export class LogupApiError extends LogupError {
  readonly operation: string;
  readonly status: number;
  /** LogUp's reason (`errorMessage`, `error` or `message` of the body), or `HTTP_<status>`. */
  readonly errorMessage: string;

  constructor(options: LogupApiErrorOptions, code: LogupErrorCode = 'LOGUP_API', message?: string) {
    super(code, message ?? LOGUP_MESSAGES.api(options.operation, options.status, options.errorMessage));
    this.operation = options.operation;
    this.status = options.status;
    this.errorMessage = options.errorMessage;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), operation: this.operation, status: this.status, errorMessage: this.errorMessage };
  }
}

/** LogUp refused the gate credentials (`idGate` / `secret`): an operator must fix the configuration. */
export class LogupCredentialsError extends LogupApiError {
  readonly idGate: string;

  constructor(options: { idGate: string; status: number; errorMessage: string }) {
    super(
      { operation: 'access token', status: options.status, errorMessage: options.errorMessage },
      'LOGUP_CREDENTIALS',
      LOGUP_MESSAGES.credentials(options.idGate, options.errorMessage, options.status),
    );
    this.idGate = options.idGate;
  }
}

/** What {@link LogupUnavailableError} is made of. */
export interface LogupUnavailableErrorOptions {
  operation: string;
  reason: LogupUnavailableReason;
  /** What happened, for the message (never a secret). */
  detail: string;
  /** The last HTTP status, when there was one. */
  status?: number;
  /** Seconds LogUp asked to wait (`Retry-After`), when it said. */
  retryAfterSeconds?: number;
  /** True when the request provably never reached LogUp (e.g. no connection was free before the deadline). */
  notSent?: boolean;
}

/** LogUp could not be reached or answered badly (network error, timeout, 429/5xx, invalid body). */
export class LogupUnavailableError extends LogupError {
  readonly operation: string;
  readonly reason: LogupUnavailableReason;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  /**
   * True when the request provably never reached LogUp (refused connection, or no
   * connection free before the deadline): a verification's logupToken is unspent.
   */
  readonly notSent: boolean;

  constructor(options: LogupUnavailableErrorOptions) {
    super('LOGUP_UNAVAILABLE', LOGUP_MESSAGES.unavailable(options.operation, options.detail));
    this.operation = options.operation;
    this.reason = options.reason;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    this.notSent = options.notSent === true;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      operation: this.operation,
      reason: this.reason,
      status: this.status,
      retryAfterSeconds: this.retryAfterSeconds,
      notSent: this.notSent,
    };
  }
}

/** The `errorMessage` of a {@link LogupApiError} for an answer whose fields break LogUp's contract. */
export const MALFORMED_ANSWER = 'MALFORMED_ANSWER';

/**
 * A well-formed (JSON) answer whose fields break LogUp's contract: an access token
 * that is not a bearer token, a bad `expires_in`, bad ids, a DB that is not flat.
 * A `LogupApiError` (`errorMessage` {@link MALFORMED_ANSWER}): repeating the call
 * would not help. `detail` names the field, never its value. (A body that is not
 * JSON at all, or cut off, is a `LogupUnavailableError` `malformed_response`.)
 */
export const malformedAnswer = (operation: string, status: number, detail: string): LogupApiError =>
  new LogupApiError(
    { operation, status, errorMessage: MALFORMED_ANSWER },
    'LOGUP_API',
    LOGUP_MESSAGES.malformed(operation, detail),
  );

/**
 * The one status -> error factory: what an unexpected HTTP status from LogUp means.
 * 429 and 5xx: unavailable (transient); 400/401/403 on the token call: the
 * credentials; anything else: an API error. Only the status decides, never a
 * reason code (LogUp documents just one).
 */
export function errorForStatus(options: {
  operation: string;
  status: number;
  errorMessage: string;
  idGate?: string;
  retryAfterSeconds?: number;
}): LogupError {
  const { operation, status, errorMessage } = options;
  if (status === 429 || status >= 500) {
    return new LogupUnavailableError({
      operation,
      reason: 'status',
      detail: `HTTP ${status} (${errorMessage})`,
      status,
      retryAfterSeconds: options.retryAfterSeconds,
    });
  }
  if (options.idGate !== undefined && (status === 400 || status === 401 || status === 403)) {
    return new LogupCredentialsError({ idGate: options.idGate, status, errorMessage });
  }
  return new LogupApiError({ operation, status, errorMessage });
}

/** Type guard for any error of this library. */
export const isLogupError = (error: unknown): error is LogupError => error instanceof LogupError;
/** Type guard: the input was rejected before anything was sent. */
export const isLogupValidationError = (error: unknown): error is LogupValidationError =>
  error instanceof LogupValidationError;
/** Type guard: a DB read from LogUp does not match the `dbSchema`. */
export const isLogupDbSchemaError = (error: unknown): error is LogupDbSchemaError =>
  error instanceof LogupDbSchemaError;
/** Type guard: LogUp is down, slow or answering garbage. */
export const isLogupUnavailableError = (error: unknown): error is LogupUnavailableError =>
  error instanceof LogupUnavailableError;
/** Type guard: LogUp answered with an error status (credentials errors included). */
export const isLogupApiError = (error: unknown): error is LogupApiError => error instanceof LogupApiError;
