import { LOGUP_DB_LIMITS } from '../logup.constants.js';
import { LogupValidationError, type LogupValidationIssue } from '../errors/logup.errors.js';
import { validateDb, type LogupDbSchema } from './logup.db-schema.js';
import { dbUpdateIssues, isPlainObject, type LogupDb } from '../logup.validation.js';

/** What a `changeDb` sends: the keys whose value changed (PUT) and the keys removed (DELETE). */
interface LogupDbChangePlan {
  put: LogupDb;
  remove: string[];
}

/**
 * Compares the DB a `changeDb` function produced with the one it was given, after
 * checking it with the schema (the whole DB) and LogUp's limits (the keys to write,
 * the key count). Throws one `LogupValidationError` listing every problem.
 * A key set to `undefined` counts as removed.
 */
export async function planDbChange(
  before: LogupDb,
  after: unknown,
  schema: LogupDbSchema | undefined,
): Promise<LogupDbChangePlan> {
  if (!isPlainObject(after)) {
    const got = after === null ? 'null' : Array.isArray(after) ? 'an array' : typeof after;
    throw new LogupValidationError('DB change', [
      { path: 'change', message: `returned ${got}: return nothing (after changing the draft) or a new DB object` },
    ]);
  }
  let next: Record<string, unknown> = after;
  const issues: LogupValidationIssue[] = [];
  if (schema) {
    const checked = await validateDb(schema, after);
    if ('issues' in checked) issues.push(...checked.issues);
    else next = checked.value;
  }
  const put: Record<string, unknown> = {};
  const remove: string[] = [];
  let size = 0;
  for (const key of Object.keys(next)) {
    if (next[key] === undefined) continue;
    size++;
    if (!Object.hasOwn(before, key) || !Object.is(before[key], next[key])) {
      Object.defineProperty(put, key, { value: next[key], enumerable: true, writable: true, configurable: true });
    }
  }
  for (const key of Object.keys(before)) if (next[key] === undefined) remove.push(key);
  issues.push(...dbUpdateIssues(put, true).filter((issue) => issue.path !== 'data'));
  if (size > LOGUP_DB_LIMITS.maxKeys) {
    issues.push({ path: 'db', message: `would hold ${size} keys; at most ${LOGUP_DB_LIMITS.maxKeys}` });
  }
  if (issues.length > 0) throw new LogupValidationError('DB change', issues);
  return { put: put as LogupDb, remove };
}
