import type { LogupError } from '../errors/logup.errors.js';

/** One authenticated API call as the library sees it. */
export interface LogupRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under `${baseUrl}/${apiVersion}`, starting with `/`. */
  path: string;
  body?: unknown;
  /** Names the call in errors, e.g. `verification`, `getDb`. */
  operation: string;
  /**
   * Safe to repeat after it may have reached LogUp (GET, PUT, DELETE). When false
   * (POST /verification, whose token is single-use), only failures that prove the
   * request was not processed (connection refused, 401, 429) are retried.
   */
  idempotent: boolean;
  /** Values to cut out of any LogUp text put into an error (e.g. the logupToken). */
  secrets?: readonly string[];
}

/** A settled answer: any status that is not transient, and its JSON body (undefined when empty). */
export interface LogupResponse {
  status: number;
  body: unknown;
}

/**
 * What a `LogupSubscription` needs to reach LogUp: one call at a time, retried and
 * authenticated. `LogupApiClient` implements it over HTTP; the testing kit in memory.
 */
export interface LogupTransport {
  /** Sends the call; resolves with any answer that is not transient, or throws a `LogupError`. */
  request(request: LogupRequest): Promise<LogupResponse>;
  /** The error for an answer the caller did not expect (the errors file's status -> error factory). */
  errorFor(request: Pick<LogupRequest, 'operation' | 'secrets'>, response: LogupResponse): LogupError;
}
