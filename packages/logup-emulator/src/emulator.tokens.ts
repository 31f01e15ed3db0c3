import { randomBytes } from 'node:crypto';
import { LOGUP_TOKEN_LENGTH } from './logup.constants.js';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random alphanumeric string (unbiased: bytes >= 248 are skipped). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}

/** Why an access token is refused (the emulator's own codes). */
export type AccessTokenProblem = 'MISSING_ACCESS_TOKEN' | 'INVALID_ACCESS_TOKEN' | 'EXPIRED_ACCESS_TOKEN';

/** Bearer tokens granted by `POST /oauth/token`, each bound to a gate, expiring. */
export class AccessTokens {
  private readonly tokens = new Map<string, { idGate: string; expiresAt: number }>();

  constructor(readonly ttlSeconds: number) {}

  grant(idGate: string): string {
    const token = randomAlphanumeric(64);
    this.tokens.set(token, { idGate, expiresAt: Date.now() + this.ttlSeconds * 1000 });
    return token;
  }

  /** The gate a token belongs to, or why it is refused. */
  authenticate(token: string | undefined): { idGate: string } | { errorMessage: AccessTokenProblem } {
    if (!token) return { errorMessage: 'MISSING_ACCESS_TOKEN' };
    const found = this.tokens.get(token);
    if (!found) return { errorMessage: 'INVALID_ACCESS_TOKEN' };
    if (found.expiresAt <= Date.now()) {
      this.tokens.delete(token);
      return { errorMessage: 'EXPIRED_ACCESS_TOKEN' };
    }
    return { idGate: found.idGate };
  }

  /** Revokes every token (of one gate, or of all gates). Returns how many. */
  revoke(idGate?: string): number {
    let revoked = 0;
    for (const [token, value] of this.tokens) {
      if (!idGate || value.idGate === idGate) {
        this.tokens.delete(token);
        revoked++;
      }
    }
    return revoked;
  }
}

/** logupTokens minted by logins: single use, bound to a gate, expiring. */
export class LogupTokens {
  private readonly pending = new Map<string, { idGate: string; idSubscription: string; expiresAt: number }>();

  constructor(readonly ttlSeconds: number) {}

  mint(idGate: string, idSubscription: string): string {
    if (this.pending.size >= 10_000) this.sweepExpired();
    const logupToken = randomAlphanumeric(LOGUP_TOKEN_LENGTH);
    this.pending.set(logupToken, { idGate, idSubscription, expiresAt: Date.now() + this.ttlSeconds * 1000 });
    return logupToken;
  }

  /**
   * The subscription a token was minted for, consuming it; undefined when unknown,
   * used or expired. Another gate's attempt neither succeeds nor consumes it.
   */
  consume(idGate: string, logupToken: string): string | undefined {
    const found = this.pending.get(logupToken);
    if (!found || found.idGate !== idGate) return undefined;
    this.pending.delete(logupToken);
    return found.expiresAt > Date.now() ? found.idSubscription : undefined;
  }

  private sweepExpired(): void {
    const now = Date.now();
    for (const [token, found] of this.pending) {
      if (found.expiresAt <= now) this.pending.delete(token);
    }
  }
}
