import { decideRetry, isTransient, parseRetryAfter, type LogupAttemptOutcome } from './logup.retry.js';

const POLICY = { retries: 2, minDelayMs: 100, maxDelayMs: 2000 };
const NOW = 1_000_000;
const FAR = NOW + 60_000;
const half = () => 0; // jitter factor 0.5
const decide = (outcome: LogupAttemptOutcome, attempt = 0, idempotent = true, deadline = FAR) =>
  decideRetry(outcome, attempt, { idempotent }, deadline, POLICY, NOW, half);

describe('decideRetry', () => {
  it.each([200, 201, 204, 400, 401, 404])('stops on an answer that is not transient (HTTP %i)', (status) => {
    expect(decide({ kind: 'response', status })).toBe('stop');
    expect(isTransient({ kind: 'response', status })).toBe(false);
  });

  it('retries 429 even for a call that is not idempotent', () => {
    expect(decide({ kind: 'response', status: 429 }, 0, false)).toBe(50);
  });

  it('retries 5xx only for idempotent calls', () => {
    expect(decide({ kind: 'response', status: 503 }, 0, true)).toBe(50);
    expect(decide({ kind: 'response', status: 503 }, 0, false)).toBe('stop');
  });

  it('retries a failure that provably never reached LogUp for every call', () => {
    expect(decide({ kind: 'failure', reason: 'network', notSent: true }, 0, false)).toBe(50);
  });

  it('retries timeouts and broken connections only for idempotent calls', () => {
    for (const reason of ['network', 'timeout', 'malformed_response'] as const) {
      expect(decide({ kind: 'failure', reason, notSent: false }, 0, true)).toBe(50);
      expect(decide({ kind: 'failure', reason, notSent: false }, 0, false)).toBe('stop');
    }
  });
});

describe('decideRetry: waits and limits', () => {
  it('backs off exponentially with jitter, capped at maxDelayMs', () => {
    const outcome = { kind: 'response', status: 500 } as const;
    expect(decideRetry(outcome, 0, { idempotent: true }, FAR, POLICY, NOW, () => 0.999)).toBeCloseTo(100, 0);
    expect(decideRetry(outcome, 1, { idempotent: true }, FAR, POLICY, NOW, half)).toBe(100);
    expect(decideRetry(outcome, 1, { idempotent: true }, FAR, { ...POLICY, retries: 9 }, NOW, half)).toBe(100);
    expect(decideRetry(outcome, 8, { idempotent: true }, FAR, { ...POLICY, retries: 9 }, NOW, () => 0.999)).toBeCloseTo(
      2000,
      -1,
    );
  });

  it('stops after the configured retries', () => {
    expect(decide({ kind: 'response', status: 500 }, 2)).toBe('stop');
  });

  it('waits what Retry-After says, and stops when that is longer than maxDelayMs', () => {
    expect(decide({ kind: 'response', status: 429, retryAfterSeconds: 1 })).toBe(1000);
    expect(decide({ kind: 'response', status: 429, retryAfterSeconds: 0 })).toBe(0);
    expect(decide({ kind: 'response', status: 429, retryAfterSeconds: 30 })).toBe('stop');
  });

  it('stops when the wait would end past the deadline', () => {
    expect(decide({ kind: 'response', status: 500 }, 0, true, NOW + 40)).toBe('stop');
    expect(decide({ kind: 'response', status: 429, retryAfterSeconds: 1 }, 0, true, NOW + 999)).toBe('stop');
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('3', NOW)).toBe(3);
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('1.5', NOW)).toBe(1.5);
  });

  it('reads an HTTP date, relative to now, never negative', () => {
    const now = Date.parse('Sat, 28 Nov 2026 12:00:00 GMT');
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:00:05 GMT', now)).toBe(5);
    expect(parseRetryAfter('Sat, 28 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    for (const header of [undefined, '', '  ', '-1', 'soon', ['1']])
      expect(parseRetryAfter(header, NOW)).toBeUndefined();
  });
});
