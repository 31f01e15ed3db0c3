import {
  LogupApiError,
  LogupCredentialsError,
  LogupError,
  LogupUnavailableError,
  LogupValidationError,
  isLogupError,
  isLogupUnavailableError,
  isLogupValidationError,
} from './logup.errors.js';

describe('LogupError family', () => {
  it('has names, codes and safe toJSON', () => {
    const errors = [
      new LogupValidationError('DB update', [{ path: 'key "a"', message: 'is bad' }]),
      new LogupCredentialsError('gate_x', 401, 'INVALID_CLIENT'),
      new LogupApiError('getDb', 404, 'SUBSCRIPTION_NOT_FOUND'),
      new LogupUnavailableError('verification', 'timeout', 'no answer within 5000 ms'),
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
