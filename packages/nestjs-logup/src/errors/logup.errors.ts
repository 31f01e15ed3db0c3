import { LOGUP_MESSAGES } from './logup.messages.js';

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

  /** The fields `toJSON()` shows besides name, code and message; each subclass names its own. */
  protected static readonly jsonFields: readonly string[] = [];

  /** A safe summary (no stack, no cause, no request details): name, code, message and the class's `jsonFields`. */
  toJSON(): Record<string, unknown> {
    const fields = (this.constructor as typeof LogupError).jsonFields;
    const own = this as unknown as Record<string, unknown>;
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...Object.fromEntries(fields.map((f) => [f, own[f]])),
    };
  }
}

/** The module options are wrong; thrown while the application boots. Lists every problem. */
export class LogupConfigurationError extends LogupError {
  protected static override readonly jsonFields: readonly string[] = ['problems'];
  /** The first option named (all of them are in `problems`). */
  readonly option: string;
  constructor(readonly problems: readonly { option: string; problem: string }[]) {
    super(
      'LOGUP_CONFIGURATION',
      LOGUP_MESSAGES.configurationList(problems.map((p) => LOGUP_MESSAGES.configuration(p.option, p.problem))),
    );
    this.option = problems[0]?.option ?? 'options';
  }
}

/** An input breaks LogUp's contract or limits; nothing was sent to LogUp. */
export class LogupValidationError extends LogupError {
  protected static override readonly jsonFields: readonly string[] = ['issues'];
  constructor(
    what: string,
    readonly issues: LogupValidationIssue[],
  ) {
    super('LOGUP_VALIDATION', LOGUP_MESSAGES.validation(what, issues));
  }
}

/**
 * A DB LogUp holds does not match the `dbSchema` (after the schema's own defaults):
 * the app gets this instead of data whose types would lie. `applied` tells whether
 * the call had already changed the DB (an update whose answer did not match).
 * Repair it with `updateDb` / `deleteDbValues` on the keys named in `issues`.
 */
export class LogupDbSchemaError extends LogupError {
  protected static override readonly jsonFields: readonly string[] = [
    'operation',
    'idSubscription',
    'issues',
    'applied',
  ];
  constructor(
    readonly operation: string,
    readonly idSubscription: string,
    readonly issues: LogupValidationIssue[],
    readonly applied = false,
  ) {
    super('LOGUP_DB_SCHEMA', LOGUP_MESSAGES.dbSchema(operation, idSubscription, issues, applied));
  }
}

/** Type guard for any error of this library. */
export const isLogupError = (error: unknown): error is LogupError => error instanceof LogupError;
/** Type guard: the input was rejected before anything was sent. */
export const isLogupValidationError = (error: unknown): error is LogupValidationError =>
  error instanceof LogupValidationError;
/** Type guard: a DB read from LogUp does not match the `dbSchema`. */
export const isLogupDbSchemaError = (error: unknown): error is LogupDbSchemaError =>
  error instanceof LogupDbSchemaError;
