import { LOGUP_REASON_MAX_LENGTH, reasonOf, sanitizeReason } from './logup.redact.js';

describe('reasonOf / sanitizeReason', () => {
  it('takes errorMessage, error or message, in that order', () => {
    expect(reasonOf({ errorMessage: 'INVALID_LOGUP_TOKEN', message: 'm' }, 400)).toBe('INVALID_LOGUP_TOKEN');
    expect(reasonOf({ error: 'E' }, 400)).toBe('E');
    expect(reasonOf({ message: 'M' }, 400)).toBe('M');
    expect(reasonOf({ other: 1 }, 418)).toBe('HTTP_418');
    expect(reasonOf(undefined, 500)).toBe('HTTP_500');
  });

  it('bounds a huge reason', () => {
    const reason = reasonOf({ errorMessage: 'x '.repeat(500_000) }, 400);
    expect(reason.length).toBeLessThanOrEqual(LOGUP_REASON_MAX_LENGTH);
  });

  it('cuts out the given secrets and anything token-shaped', () => {
    const secret = 'shh-short';
    const token = 'A'.repeat(128);
    const text = `client_secret=${secret} token=${token} bearer abcdefghijklmnopqrstuvwxyz0123456789`;
    const clean = sanitizeReason(text, [secret]);
    expect(clean).not.toContain(secret);
    expect(clean).not.toContain(token);
    expect(clean).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789');
    expect(clean).toContain('[redacted]');
  });

  it('makes one plain line', () => {
    expect(sanitizeReason('a\nb\u0000c\u202ed')).toBe('a b c d');
  });
});
