import { LogupError, LogupValidationError, isLogupError, isLogupValidationError } from './logup.errors.js';
import {
  LogupApiError,
  LogupCredentialsError,
  LogupUnavailableError,
  errorForStatus,
  isLogupApiError,
  isLogupUnavailableError,
} from './logup.api-errors.js';

describe('LogupError family', () => {
  it('has names, codes and safe toJSON', () => {
    const errors = [
      new LogupValidationError('DB update', [{ path: 'key "a"', message: 'is bad' }]),
      new LogupCredentialsError({ idGate: 'gate_x', status: 401, errorMessage: 'INVALID_CLIENT' }),
      new LogupApiError({ operation: 'getDb', status: 404, errorMessage: 'SUBSCRIPTION_NOT_FOUND' }),
      new LogupUnavailableError({ operation: 'verification', reason: 'timeout', detail: 'no answer within 5000 ms' }),
    ];
    expect(errors.map((e) => [e.name, e.code])).toEqual([
      ['LogupValidationError', 'LOGUP_VALIDATION'],
      ['LogupCredentialsError', 'LOGUP_CREDENTIALS'],
      ['LogupApiError', 'LOGUP_API'],
      ['LogupUnavailableError', 'LOGUP_UNAVAILABLE'],
    ]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(LogupError);
      expect(isLogupError(error)).toBe(true);
      expect(error.message.length).toBeGreaterThan(10);
      expect(Object.keys(error.toJSON())).not.toContain('stack');
    }
    expect(isLogupValidationError(errors[0])).toBe(true);
    expect(isLogupUnavailableError(errors[3])).toBe(true);
    expect(isLogupUnavailableError(errors[0])).toBe(false);
    expect(isLogupError(new Error('x'))).toBe(false);
    expect(errors[0].message).toBe('Invalid DB update: key "a" is bad');
    expect(errors[0].toJSON()).toMatchObject({ issues: [{ path: 'key "a"', message: 'is bad' }] });
  });
});

describe('LogupError family: kinds and brands', () => {
  it('makes LogupCredentialsError a kind of LogupApiError', () => {
    const error = new LogupCredentialsError({ idGate: 'gate_x', status: 400, errorMessage: 'INVALID_CLIENT' });
    expect(error).toBeInstanceOf(LogupApiError);
    expect(isLogupApiError(error)).toBe(true);
    expect(error).toMatchObject({ operation: 'access token', status: 400, idGate: 'gate_x' });
    expect(new LogupApiError({ operation: 'getDb', status: 404, errorMessage: 'x' })).not.toBeInstanceOf(
      LogupCredentialsError,
    );
  });

  it('recognises an error by its brand, as another copy of the library would make it', () => {
    // An object carrying the brand of the same class names, as a CommonJS copy's error does.
    class LogupApiError2 extends Error {}
    const foreign = new LogupApiError2('x');
    Object.defineProperty(foreign, Symbol.for('nestjs-logup.error.kinds'), {
      value: ['LogupApiError', 'LogupError'],
    });
    expect(foreign).toBeInstanceOf(LogupError);
    expect(foreign).toBeInstanceOf(LogupApiError);
    expect(foreign).not.toBeInstanceOf(LogupUnavailableError);
    expect(new Error('plain')).not.toBeInstanceOf(LogupError);
  });
});

describe('errorForStatus, the one status -> error factory', () => {
  it.each([
    [429, undefined, LogupUnavailableError],
    [500, undefined, LogupUnavailableError],
    [503, 'gate_x', LogupUnavailableError],
    [400, 'gate_x', LogupCredentialsError],
    [401, 'gate_x', LogupCredentialsError],
    [403, 'gate_x', LogupCredentialsError],
    [400, undefined, LogupApiError],
    [404, undefined, LogupApiError],
    [302, undefined, LogupApiError],
  ])('HTTP %i (idGate %s) -> %p', (status, idGate, type) => {
    const error = errorForStatus({ operation: 'op', status, errorMessage: 'WHY', idGate, retryAfterSeconds: 2 });
    expect(error.constructor).toBe(type);
    expect(error.message).toContain(String(status));
  });

  it('keeps Retry-After on transient errors', () => {
    const error = errorForStatus({ operation: 'op', status: 429, errorMessage: 'X', retryAfterSeconds: 3 });
    expect(error).toMatchObject({ reason: 'status', status: 429, retryAfterSeconds: 3 });
  });
});
