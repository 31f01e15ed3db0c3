/** One thing wrong with an input: where (`data["age"]`, `keys[2]`, `logupToken`) and why. */
export interface LogupValidationIssue {
  path: string;
  message: string;
}

/** Every message the library produces, in one place. None ever contains a secret or token. */
export const LOGUP_MESSAGES = {
  configuration: (option: string, problem: string) => `Invalid LogupModule option "${option}": ${problem}`,
  validation: (what: string, issues: LogupValidationIssue[]) =>
    `Invalid ${what}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
  credentials: (idGate: string, reason: string, status: number) =>
    `LogUp rejected the gate credentials for idGate "${idGate}" (HTTP ${status}, ${reason}). ` +
    'Check the idGate and secret options.',
  api: (operation: string, status: number, reason: string) =>
    `LogUp answered ${operation} with HTTP ${status} (${reason})`,
  unavailable: (operation: string, detail: string) => `LogUp is unavailable for ${operation}: ${detail}`,
} as const;

/** Base class of every error this library throws. */
export class LogupError extends Error {
  /** A stable code to branch on. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }

  /** A safe summary (no stack, no cause, no request details). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** The module options are wrong; thrown while the application boots. */
export class LogupConfigurationError extends LogupError {
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super('LOGUP_CONFIGURATION', LOGUP_MESSAGES.configuration(option, problem));
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

/** LogUp refused the gate credentials (`idGate` / `secret`): an operator must fix the configuration. */
export class LogupCredentialsError extends LogupError {
  constructor(
    readonly idGate: string,
    readonly status: number,
    readonly errorMessage: string,
  ) {
    super('LOGUP_CREDENTIALS', LOGUP_MESSAGES.credentials(idGate, errorMessage, status));
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, errorMessage: this.errorMessage };
  }
}

/** LogUp answered with an error status that is not a transient one (e.g. 400, 404). */
export class LogupApiError extends LogupError {
  constructor(
    readonly operation: string,
    readonly status: number,
    /** LogUp's reason (`errorMessage`, `error` or `message` of the body), or `HTTP_<status>`. */
    readonly errorMessage: string,
  ) {
    super('LOGUP_API', LOGUP_MESSAGES.api(operation, status, errorMessage));
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), operation: this.operation, status: this.status, errorMessage: this.errorMessage };
  }
}

/** Why LogUp could not be used. */
export type LogupUnavailableReason = 'network' | 'timeout' | 'status' | 'malformed_response';

/** LogUp could not be reached or answered badly (network error, timeout, 429/5xx, invalid body). */
export class LogupUnavailableError extends LogupError {
  constructor(
    readonly operation: string,
    readonly reason: LogupUnavailableReason,
    detail: string,
    /** The last HTTP status, when there was one. */
    readonly status?: number,
    /** Seconds LogUp asked to wait (`Retry-After`), when it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super('LOGUP_UNAVAILABLE', LOGUP_MESSAGES.unavailable(operation, detail));
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      operation: this.operation,
      reason: this.reason,
      status: this.status,
      retryAfterSeconds: this.retryAfterSeconds,
    };
  }
}

/** Type guard for any error of this library. */
export const isLogupError = (error: unknown): error is LogupError => error instanceof LogupError;
/** Type guard: the input was rejected before anything was sent. */
export const isLogupValidationError = (error: unknown): error is LogupValidationError =>
  error instanceof LogupValidationError;
/** Type guard: LogUp is down, slow or answering garbage. */
export const isLogupUnavailableError = (error: unknown): error is LogupUnavailableError =>
  error instanceof LogupUnavailableError;
