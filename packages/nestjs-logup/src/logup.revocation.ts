import type { LogupSessionRevocationStore } from './logup-module-options.interface.js';

/**
 * The default {@link LogupSessionRevocationStore}: ended sessions in process memory,
 * each kept until it would have expired anyway. Right for one process; with several
 * replicas, give `sessionRevocation` a store they share.
 */
export class MemorySessionRevocationStore implements LogupSessionRevocationStore {
  readonly #revoked = new Map<string, number>();
  #nextPrune = 0;

  revoke(sid: string, expiresAt: number): void {
    const now = Date.now();
    if (now >= this.#nextPrune) {
      for (const [key, until] of this.#revoked) if (until <= now) this.#revoked.delete(key);
      this.#nextPrune = now + 60_000;
    }
    if (expiresAt > now) this.#revoked.set(sid, expiresAt);
  }

  isRevoked(sid: string): boolean {
    const until = this.#revoked.get(sid);
    return until !== undefined && until > Date.now();
  }

  /** Session ids are not secrets, but a dump need not list them. */
  toJSON(): Record<string, unknown> {
    return { revoked: this.#revoked.size };
  }
}
