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
    this.#prune();
    if (expiresAt > Date.now()) this.#revoked.set(sid, expiresAt);
  }

  /** True the first time `id` is claimed before `expiresAt` (single-use pending logins). */
  claim(id: string, expiresAt: number): boolean {
    this.#prune();
    const key = `claim:${id}`;
    if (this.isRevoked(key)) return false;
    this.#revoked.set(key, Math.max(expiresAt, Date.now() + 1000));
    return true;
  }

  #prune(): void {
    const now = Date.now();
    if (now < this.#nextPrune) return;
    for (const [key, until] of this.#revoked) if (until <= now) this.#revoked.delete(key);
    this.#nextPrune = now + 60_000;
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
