import { LogupApiError } from '../errors/logup.api-errors.js';
import type { LogupError } from '../errors/logup.errors.js';
import type { LogupRequest } from '../http/logup.transport.js';
import { LOGUP_DB_LIMITS } from '../logup.constants.js';
import type { LogupDb, LogupDbValue } from '../logup.validation.js';

const dbPath = (idSubscription: string): string => `/subscription/${encodeURIComponent(idSubscription)}/db`;

/**
 * The DB calls of a subscription (LOGUP-API "Subscription DB"), each under LogUp's
 * operation name (getDb, updateDb, deleteDbValues), as their telemetry spans and
 * errors are, whichever `LogupSubscription` method sends them. All are idempotent.
 */
export const dbCall = {
  /** `GET /subscription/<id>/db`, with `?keys=` when only some keys are wanted (keys checked by the caller). */
  read(idSubscription: string, keys?: readonly string[]): LogupRequest {
    const query = keys === undefined ? '' : `?keys=${keys.map(encodeURIComponent).join(',')}`;
    return { method: 'GET', path: `${dbPath(idSubscription)}${query}`, operation: 'getDb', idempotent: true };
  },
  /** `PUT /subscription/<id>/db` with `{ data: [{ key, value }] }`: LogUp merges by key. */
  update(idSubscription: string, data: LogupDb): LogupRequest {
    const body = { data: Object.keys(data).map((key) => ({ key, value: data[key] })) };
    return { method: 'PUT', path: dbPath(idSubscription), body, operation: 'updateDb', idempotent: true };
  },
  /** `DELETE /subscription/<id>/db` with `{ keys }`, each key once. */
  delete(idSubscription: string, keys: readonly string[]): LogupRequest {
    const body = { keys: [...new Set(keys)] };
    return { method: 'DELETE', path: dbPath(idSubscription), body, operation: 'deleteDbValues', idempotent: true };
  },
};

/**
 * LogUp's 400 for an update, naming the string values that are within the limit in
 * characters (what the library checks) but over it in UTF-8 bytes: LogUp's reference
 * says both "under 1 KB" and "1024 characters", so those are the likely cause.
 */
export function refusedUpdate(error: LogupError, data: Record<string, LogupDbValue>): LogupError {
  const max = LOGUP_DB_LIMITS.maxValueLength;
  const heavy = Object.keys(data).flatMap((key) => {
    const value = data[key];
    const bytes = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0;
    return bytes > max ? [`"${key}" (${bytes} bytes)`] : [];
  });
  if (!(error instanceof LogupApiError) || error.status !== 400 || heavy.length === 0) return error;
  const errorMessage = `${error.errorMessage}; over ${max} bytes in UTF-8: ${heavy.join(', ')}`;
  return new LogupApiError({ operation: error.operation, status: error.status, errorMessage });
}
