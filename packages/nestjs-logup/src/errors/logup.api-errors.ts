import { LOGUP_MESSAGES } from './logup.messages.js';
import { LogupError, type LogupErrorCode, type LogupUnavailableReason } from './logup.errors.js';

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
  protected static override readonly jsonFields: readonly string[] = ['operation', 'status', 'errorMessage'];
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
  protected static override readonly jsonFields: readonly string[] = [
    'operation',
    'reason',
    'status',
    'retryAfterSeconds',
    'notSent',
  ];
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

/** Type guard: LogUp is down, slow or answering garbage. */
export const isLogupUnavailableError = (error: unknown): error is LogupUnavailableError =>
  error instanceof LogupUnavailableError;
/** Type guard: LogUp answered with an error status (credentials errors included). */
export const isLogupApiError = (error: unknown): error is LogupApiError => error instanceof LogupApiError;
