import { LOGUP_DB_LIMITS } from './logup.constants.js';
import { LogupValidationError, type LogupValidationIssue } from './errors/logup.errors.js';
import { malformedAnswer } from './errors/logup.api-errors.js';
import { reasonOf, sanitizeReason } from './errors/logup.redact.js';

/** A value LogUp stores: string, finite number or boolean. */
export type LogupDbValue = string | number | boolean;

/** A subscription DB: a flat key-value object. */
export type LogupDb = Record<string, LogupDbValue>;

/** Characters in a string as LogUp counts them (code points, not UTF-16 units). */
const charCount = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** A key as it may appear in a message: quoted, escaped, shortened. */
const show = (key: string): string => JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}...` : key);

/** Characters a LogUp token may contain. */
export const LOGUP_TOKEN_PATTERN = /^[A-Za-z0-9._~+/=-]+$/;
/** Bounds of a logupToken this library forwards (LogUp's are about 128 characters). */
export const LOGUP_TOKEN_LENGTH = Object.freeze({ min: 16, max: 2048 });

/** The rules of the callback query, with their messages: one set, used by the guard, verify() and the DTO. */
export const LOGUP_CALLBACK_RULES = Object.freeze({
  notString: 'must be a single string',
  length: `must be ${LOGUP_TOKEN_LENGTH.min} to ${LOGUP_TOKEN_LENGTH.max} characters long`,
  characters: 'contains characters a LogUp token never has',
  isNewUser: 'must be exactly "true" or "false"',
  required: 'is required',
});

/** Longest id accepted in a path segment. */
const MAX_ID_LENGTH = 256;

/** Why a key is unacceptable, or undefined. */
function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'must be a string';
  if (key.length === 0) return 'must not be empty';
  const length = charCount(key);
  if (length > LOGUP_DB_LIMITS.maxKeyLength) {
    return `is ${length} characters; at most ${LOGUP_DB_LIMITS.maxKeyLength}`;
  }
  if (key === '__proto__') return 'is reserved in JavaScript objects';
  return undefined;
}

/** Why a value is unacceptable, or undefined. */
function valueProblem(value: unknown): string | undefined {
  if (typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'must be a finite number';
  if (typeof value === 'string') {
    const length = charCount(value);
    return length > LOGUP_DB_LIMITS.maxValueLength
      ? `is ${length} characters; at most ${LOGUP_DB_LIMITS.maxValueLength}`
      : undefined;
  }
  const type = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  return `must be a string, a finite number or a boolean, not ${type}`;
}

/** Whether a value is a plain object (`{}` or `Object.create(null)`), not an array, class instance or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Every way the keys and values to write break LogUp's limits (key count, key
 * length, value type and length), each naming the key and the limit.
 * @param allowEmpty whether writing no key is fine (a change that changes nothing).
 */
export function dbUpdateIssues(data: unknown, allowEmpty = false): LogupValidationIssue[] {
  if (!isPlainObject(data)) return [{ path: 'data', message: 'must be a plain object of key -> value' }];
  const issues: LogupValidationIssue[] = [];
  const keys = Object.keys(data);
  if (keys.length === 0 && !allowEmpty) issues.push({ path: 'data', message: 'must name at least one key' });
  if (keys.length > LOGUP_DB_LIMITS.maxKeys) {
    issues.push({ path: 'data', message: `names ${keys.length} keys; at most ${LOGUP_DB_LIMITS.maxKeys}` });
  }
  for (const key of keys) {
    const problem = keyProblem(key);
    if (problem) {
      issues.push({ path: `key ${show(key)}`, message: problem });
      continue;
    }
    const valueIssue = valueProblem(data[key]);
    if (valueIssue) issues.push({ path: `value of ${show(key)}`, message: valueIssue });
  }
  return issues;
}

/** Checks an `updateDb` argument against every LogUp limit; throws listing every problem. */
export function assertDbUpdate(data: unknown): asserts data is LogupDb {
  const issues = dbUpdateIssues(data);
  if (issues.length > 0) throw new LogupValidationError('DB update', issues);
}

/** Checks a list of key names (`getDb`, `deleteDbValues`). */
export function assertDbKeys(keys: unknown, what: string, allowComma: boolean): asserts keys is string[] {
  if (!Array.isArray(keys))
    throw new LogupValidationError(what, [{ path: 'keys', message: 'must be an array of key names' }]);
  const issues: LogupValidationIssue[] = [];
  if (keys.length === 0) issues.push({ path: 'keys', message: 'must name at least one key' });
  if (keys.length > LOGUP_DB_LIMITS.maxKeys) {
    issues.push({ path: 'keys', message: `names ${keys.length} keys; a DB holds at most ${LOGUP_DB_LIMITS.maxKeys}` });
  }
  keys.forEach((key, index) => {
    const problem =
      keyProblem(key) ?? (!allowComma && key.includes(',') ? 'must not contain "," when reading' : undefined);
    if (problem) issues.push({ path: `keys[${index}]`, message: problem });
  });
  if (issues.length > 0) throw new LogupValidationError(what, issues);
}

/** Why an id cannot be a path segment (`idSubscription`, `idActor`), or undefined. */
export function idProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty string';
  if (value.length > MAX_ID_LENGTH) return `is ${value.length} characters; at most ${MAX_ID_LENGTH}`;
  if (/\p{Cc}/u.test(value) || value === '.' || value === '..') return 'contains forbidden characters';
  return undefined;
}

/** Checks an id that becomes a path segment (`idSubscription`, `idActor`). */
export function assertId(value: unknown, name: string): asserts value is string {
  const problem = idProblem(value);
  if (problem) throw new LogupValidationError(name, [{ path: name, message: problem }]);
}

/** Why a logupToken is not worth sending to LogUp, or undefined. */
export function logupTokenProblem(token: unknown): string | undefined {
  if (typeof token !== 'string') return LOGUP_CALLBACK_RULES.notString;
  if (token.length < LOGUP_TOKEN_LENGTH.min || token.length > LOGUP_TOKEN_LENGTH.max) {
    return LOGUP_CALLBACK_RULES.length;
  }
  if (!LOGUP_TOKEN_PATTERN.test(token)) return LOGUP_CALLBACK_RULES.characters;
  return undefined;
}

/**
 * Validates a callback query; returns messages naming the query parameters (never
 * echoing their values), or the parsed input.
 */
export function parseCallbackQuery(
  query: Record<string, unknown>,
  names: { token: string; isNewUser: string },
): { logupToken: string; isNewUser: boolean } | { problems: string[] } {
  const token = query[names.token];
  const isNewUser = query[names.isNewUser];
  const problems: string[] = [];
  const tokenProblem = token === undefined ? LOGUP_CALLBACK_RULES.required : logupTokenProblem(token);
  if (tokenProblem) problems.push(`${names.token} ${tokenProblem}`);
  if (isNewUser !== 'true' && isNewUser !== 'false') {
    problems.push(
      `${names.isNewUser} ${isNewUser === undefined ? LOGUP_CALLBACK_RULES.required : LOGUP_CALLBACK_RULES.isNewUser}`,
    );
  }
  return problems.length > 0 ? { problems } : { logupToken: token as string, isNewUser: isNewUser === 'true' };
}

/** Checks the arguments of `verify()`. */
export function assertVerifyInput(logupToken: unknown, isNewUser: unknown): void {
  const issues: LogupValidationIssue[] = [];
  const tokenIssue = logupTokenProblem(logupToken);
  if (tokenIssue) issues.push({ path: 'logupToken', message: tokenIssue });
  if (typeof isNewUser !== 'boolean') issues.push({ path: 'isNewUser', message: 'must be a boolean' });
  if (issues.length > 0) throw new LogupValidationError('verification input', issues);
}

/** Parses a DB answered by LogUp; undefined when it is not a flat object of allowed values. */
export function parseDb(body: unknown): LogupDb | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const db: LogupDb = {};
  for (const [key, value] of Object.entries(body)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) return undefined;
    // JSON.parse reads 1e999 as Infinity: not a value LogUp stores.
    if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
    // defineProperty: a key named "__proto__" stays a plain own property.
    Object.defineProperty(db, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return db;
}

/**
 * LogUp's answer to `POST /verification` (LOGUP-API "Verify a logupToken"): "not
 * verified" with LogUp's reason (a 400 or 403, or `verified: false`; the token cut out
 * of it), or the verified ids and DB, each checked. `verified: true` wins over a stray
 * `errorMessage` (the reference's own example carries one).
 * @throws LogupApiError `MALFORMED_ANSWER` when the answer breaks the contract.
 */
export function readVerificationAnswer(
  status: number,
  body: unknown,
  logupToken: string,
):
  { verified: false; errorMessage: string } | { verified: true; idSubscription: string; idActor: string; db: LogupDb } {
  if (status === 400 || status === 403) return { verified: false, errorMessage: reasonOf(body, status, [logupToken]) };
  const answer = isPlainObject(body) ? body : {};
  if (answer.verified === false) {
    const reason = typeof answer.errorMessage === 'string' ? sanitizeReason(answer.errorMessage, [logupToken]) : '';
    return { verified: false, errorMessage: reason || 'NOT_VERIFIED' };
  }
  const db = answer.db === undefined || answer.db === null ? {} : parseDb(answer.db);
  const problem = verificationProblem(answer, db);
  if (problem) throw malformedAnswer('verification', status, problem);
  return {
    verified: true,
    idSubscription: answer.idSubscription as string,
    idActor: answer.idActor as string,
    db: db!,
  };
}

/** What breaks the contract in a verification answer that is not "not verified", if anything. */
function verificationProblem(answer: Record<string, unknown>, db: LogupDb | undefined): string | undefined {
  if (answer.verified !== true) return 'it is not a verification result';
  for (const field of ['idSubscription', 'idActor'] as const) {
    const problem = idProblem(answer[field]);
    if (problem) return `its ${field} ${problem}`;
  }
  return db ? undefined : 'its db is not a flat object of strings, numbers and booleans';
}
