import { errorForStatus } from '../errors/logup.api-errors.js';
import { reasonOf } from '../errors/logup.redact.js';

/** One authenticated API call as the library sees it. Internal. */
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
  /**
   * Error statuses that are an answer rather than an error, for the caller to read
   * (the verification's 400 and 403: "not verified"). Default: none, only 2xx.
   */
  accept?: readonly number[];
}

/** A settled answer: its status and JSON body (undefined when empty). */
export interface LogupResponse {
  status: number;
  body: unknown;
}

/**
 * What a `LogupSubscription` needs to reach LogUp: one call at a time, retried and
 * authenticated. `LogupApiClient` implements it over HTTP; the testing kit in memory.
 * Internal.
 */
export interface LogupTransport {
  /**
   * Sends the call; resolves with a 2xx answer or one of `request.accept`, and throws
   * the `LogupError` of any other status (see `expectedAnswer`) or of a failure.
   */
  request(request: LogupRequest): Promise<LogupResponse>;
}

/**
 * The answer when its status is what the caller expects (2xx, or one of
 * `request.accept`); otherwise throws the error for that status (`errorForStatus`),
 * with `secrets` and `request.secrets` cut out of LogUp's text.
 */
export function expectedAnswer(
  request: Pick<LogupRequest, 'operation' | 'secrets' | 'accept'>,
  response: LogupResponse,
  secrets: readonly string[] = [],
): LogupResponse {
  const { status, body } = response;
  if ((status >= 200 && status < 300) || request.accept?.includes(status)) return response;
  const errorMessage = reasonOf(body, status, [...secrets, ...(request.secrets ?? [])]);
  throw errorForStatus({ operation: request.operation, status, errorMessage });
}
