/** Longest reason taken from LogUp into an error, a log line or a page. */
export const LOGUP_REASON_MAX_LENGTH = 200;

const REDACTED = '[redacted]';
// Anything shaped like a token or a secret (a long run without spaces) is cut out, so a
// LogUp that echoes a request body cannot put the secret or a token into a message.
const TOKEN_SHAPED = /[A-Za-z0-9._~+/=-]{32,}/g;
// Control and format characters (newlines included): a reason is one plain line.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]+/gu;

/**
 * Makes a text from LogUp safe to show or log: the given secrets and anything
 * token-shaped replaced, one line, at most {@link LOGUP_REASON_MAX_LENGTH} characters.
 */
export function sanitizeReason(text: string, secrets: readonly (string | undefined)[] = []): string {
  // Bound the work first: a hostile answer may be megabytes long.
  let clean = text.length > 4096 ? text.slice(0, 4096) : text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) clean = clean.split(secret).join(REDACTED);
  }
  clean = clean.replace(UNPRINTABLE, ' ').replace(TOKEN_SHAPED, REDACTED).trim();
  if (clean.length > LOGUP_REASON_MAX_LENGTH) clean = `${clean.slice(0, LOGUP_REASON_MAX_LENGTH - 3)}...`;
  return clean;
}

/** LogUp's reason from an error body (`errorMessage`, `error` or `message`), sanitized; else `HTTP_<status>`. */
export function reasonOf(body: unknown, status: number, secrets: readonly (string | undefined)[] = []): string {
  if (typeof body === 'object' && body !== null) {
    for (const field of ['errorMessage', 'error', 'message'] as const) {
      const value = (body as Record<string, unknown>)[field];
      if (typeof value === 'string') {
        const clean = sanitizeReason(value, secrets);
        if (clean !== '') return clean;
      }
    }
  }
  return `HTTP_${status}`;
}
