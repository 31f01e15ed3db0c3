import { LOGUP_DB_LIMITS } from './logup.constants.js';
import type { LogupDb, LogupDbValue } from './emulator.types.js';

/**
 * A 400 answer: a reason code plus a sentence for people. The codes are the
 * emulator's own (LogUp documents only `INVALID_LOGUP_TOKEN`); clients must not
 * branch on them.
 */
export interface LimitViolation {
  errorMessage: string;
  message: string;
  key?: string;
}

/** A subscription DB as the emulator keeps it. */
export type StoredDb = Map<string, LogupDbValue>;

/** Characters as LogUp counts them (code points, not UTF-16 units). */
const length = (s: string): number => [...s].length;

/** How a string value's size is counted: code points, or UTF-8 bytes (`valueLimit`). */
export type ValueLimit = 'characters' | 'bytes';

const sizeOf = (value: string, limit: ValueLimit): number =>
  limit === 'bytes' ? Buffer.byteLength(value, 'utf8') : length(value);

/** Checks one `{ key, value }` pair of a PUT body; undefined when it is valid. */
export function checkPair(pair: unknown, index: number, limit: ValueLimit = 'characters'): LimitViolation | undefined {
  if (typeof pair !== 'object' || pair === null || Array.isArray(pair)) {
    return { errorMessage: 'INVALID_REQUEST', message: `data[${index}] must be an object { key, value }` };
  }
  const { key, value } = pair as { key?: unknown; value?: unknown };
  if (typeof key !== 'string' || key.length === 0) {
    return { errorMessage: 'INVALID_KEY', message: `data[${index}].key must be a non-empty string` };
  }
  if (length(key) > LOGUP_DB_LIMITS.maxKeyLength) {
    return {
      errorMessage: 'KEY_TOO_LONG',
      message: `key "${key.slice(0, 40)}" is ${length(key)} characters; at most ${LOGUP_DB_LIMITS.maxKeyLength}`,
      key,
    };
  }
  return checkValue(key, value, limit);
}

/** Checks one stored value against the type and size limits. */
export function checkValue(key: string, value: unknown, limit: ValueLimit = 'characters'): LimitViolation | undefined {
  if (typeof value === 'string') {
    const size = sizeOf(value, limit);
    if (size <= LOGUP_DB_LIMITS.maxValueLength) return undefined;
    const unit = limit === 'bytes' ? 'bytes in UTF-8' : 'characters';
    return {
      errorMessage: 'VALUE_TOO_LONG',
      message: `value of "${key}" is ${size} ${unit}; at most ${LOGUP_DB_LIMITS.maxValueLength}`,
      key,
    };
  }
  if (typeof value === 'boolean') return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return undefined;
  return {
    errorMessage: 'INVALID_VALUE_TYPE',
    message: `value of "${key}" must be a string, a finite number or a boolean`,
    key,
  };
}

/**
 * Applies a PUT body to a DB, all or nothing: returns the new DB, or the first
 * violation (and the DB given is left as it was).
 */
export function applyUpdate(db: StoredDb, body: unknown, limit: ValueLimit = 'characters'): StoredDb | LimitViolation {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    return { errorMessage: 'INVALID_REQUEST', message: 'body must be { "data": [ { "key", "value" }, ... ] }' };
  }
  const next = new Map(db);
  for (const [index, pair] of data.entries()) {
    const violation = checkPair(pair, index, limit);
    if (violation) return violation;
    const { key, value } = pair as { key: string; value: LogupDbValue };
    next.set(key, value);
  }
  if (next.size > LOGUP_DB_LIMITS.maxKeys) {
    return {
      errorMessage: 'TOO_MANY_KEYS',
      message: `the DB would hold ${next.size} keys; at most ${LOGUP_DB_LIMITS.maxKeys}`,
    };
  }
  return next;
}

/** The key list of a DELETE body (`{ "keys": ["a", ...] }`), or why it is refused. */
export function deletedKeys(body: unknown): string[] | LimitViolation {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'string')) {
    return { errorMessage: 'INVALID_REQUEST', message: 'body must be { "keys": ["key", ...] }' };
  }
  return keys;
}

/** Validates a whole DB given as an object (`POST /__emulator/login`). */
export function dbFromObject(value: unknown, limit: ValueLimit = 'characters'): StoredDb | LimitViolation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { errorMessage: 'INVALID_REQUEST', message: 'db must be an object of key -> value' };
  }
  return applyUpdate(
    new Map(),
    { data: Object.entries(value as LogupDb).map(([key, v]) => ({ key, value: v })) },
    limit,
  );
}

/** A DB as a plain JSON object (own properties only, safe for any key, `__proto__` included). */
export function dbToObject(db: StoredDb, keys?: string[]): LogupDb {
  const out: LogupDb = {};
  for (const [key, value] of db) {
    if (keys && !keys.includes(key)) continue;
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
