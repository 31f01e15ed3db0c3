/** The retry settings the decision reads (see `LogupRetryOptions`). */
interface LogupRetryPolicy {
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

/** What one attempt came to, as far as retrying is concerned. */
export type LogupAttemptOutcome =
  | { kind: 'response'; status: number; retryAfterSeconds?: number }
  | {
      kind: 'failure';
      reason: 'network' | 'timeout' | 'malformed_response';
      /** True when the request provably never reached LogUp (connection refused, unknown host). */
      notSent: boolean;
    };

/** Whether a call may safely be repeated after it may have reached LogUp. */
interface LogupRetryRequest {
  idempotent: boolean;
}

/**
 * Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds : undefined;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** Whether an outcome is a failure at all (a 2xx or a non-transient 4xx is an answer). */
export const isTransient = (outcome: LogupAttemptOutcome): boolean =>
  outcome.kind === 'failure' || outcome.status === 429 || outcome.status >= 500;

/**
 * The retry decision, pure: how many ms to wait before trying again, or `'stop'`.
 *
 * - Answers that are not transient (2xx, 4xx but 429) stop: they are the result.
 * - 429 and "not sent" failures are retried for every call (LogUp did not process them);
 *   5xx, timeouts, broken connections and malformed answers only for idempotent calls,
 *   since a verification spends a single-use token.
 * - At most `retries` retries; the wait is `Retry-After` when LogUp gave one, else
 *   exponential backoff with jitter; a wait longer than `maxDelayMs`, or one that would
 *   end past the deadline, stops.
 */
export function decideRetry(
  outcome: LogupAttemptOutcome,
  attempt: number,
  request: LogupRetryRequest,
  deadline: number,
  policy: LogupRetryPolicy,
  now: number = Date.now(),
  random: () => number = Math.random,
): number | 'stop' {
  if (!isTransient(outcome)) return 'stop';
  const retryable =
    outcome.kind === 'response' ? outcome.status === 429 || request.idempotent : outcome.notSent || request.idempotent;
  if (!retryable || attempt >= policy.retries) return 'stop';
  const retryAfter = outcome.kind === 'response' ? outcome.retryAfterSeconds : undefined;
  const wait =
    retryAfter !== undefined
      ? retryAfter * 1000
      : Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** attempt) * (0.5 + random() / 2);
  if (wait > policy.maxDelayMs || now + wait >= deadline) return 'stop';
  return wait;
}
