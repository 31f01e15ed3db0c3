import { LogupError } from '../errors/logup.errors.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import type { LogupConfig, LogupSessionRevocationStore } from '../options/logup-module-options.interface.js';
import { read } from './logup.session-store.js';

/**
 * The default {@link LogupSessionRevocationStore}: ended sessions in process memory,
 * each kept until it would have expired anyway. Right for one process; with several
 * replicas, give `sessionRevocation` a store they share.
 */
export class MemorySessionRevocationStore implements LogupSessionRevocationStore {
  readonly #revoked = new Map<string, number>();
  /** Per subscription: [before, expiresAt] of its last sign-out everywhere. */
  readonly #signedOut = new Map<string, [number, number]>();
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

  /** Ends every login of `idSubscription` issued at or before `before` (epoch ms). */
  revokeSubscription(idSubscription: string, before: number, expiresAt: number): void {
    this.#prune();
    const previous = this.#signedOut.get(idSubscription);
    if (expiresAt > Date.now() && (!previous || previous[0] < before)) {
      this.#signedOut.set(idSubscription, [before, expiresAt]);
    }
  }

  /** The `before` of the subscription's last sign-out everywhere, or undefined. */
  revokedBefore(idSubscription: string): number | undefined {
    const entry = this.#signedOut.get(idSubscription);
    return entry && entry[1] > Date.now() ? entry[0] : undefined;
  }

  #prune(): void {
    const now = Date.now();
    if (now < this.#nextPrune) return;
    for (const [key, until] of this.#revoked) if (until <= now) this.#revoked.delete(key);
    for (const [key, [, until]] of this.#signedOut) if (until <= now) this.#signedOut.delete(key);
    this.#nextPrune = now + 60_000;
  }

  isRevoked(sid: string): boolean {
    const until = this.#revoked.get(sid);
    return until !== undefined && until > Date.now();
  }

  /** Session ids are not secrets, but a dump need not list them. */
  toJSON(): Record<string, unknown> {
    return { revoked: this.#revoked.size, signedOut: this.#signedOut.size };
  }
}

/** Whether a sign-out everywhere of the subscription came at or after `issuedAt` (same millisecond included). */
export async function signedOutSince(config: LogupConfig, idSubscription: string, issuedAt: number): Promise<boolean> {
  const store = config.sessionRevocation;
  if (typeof store.revokedBefore !== 'function') return false;
  const before = await store.revokedBefore(idSubscription);
  return typeof before === 'number' && issuedAt <= before;
}

/**
 * Records a sign-out everywhere of the subscription, now: logins issued at or before
 * this millisecond are refused; the record lasts as long as such a login could.
 */
export async function signOutSubscription(config: LogupConfig, idSubscription: string): Promise<void> {
  const store = config.sessionRevocation;
  if (typeof store.revokeSubscription !== 'function' || typeof store.revokedBefore !== 'function') {
    throw new LogupError('LOGUP_CONFIGURATION', LOGUP_MESSAGES.noSubscriptionRevocation);
  }
  const before = Date.now();
  await store.revokeSubscription(idSubscription, before, before + config.sessionMaxAgeSeconds * 1000 + 1);
}

/** The ids of the login the session holds for the gate (as stored, unchecked), or undefined. */
export function loginInSession(
  request: unknown,
  config: LogupConfig,
): { idSubscription: string; sid: string } | undefined {
  if (config.sessionKey === false) return undefined;
  const value = read(request, config.sessionKey) as { idSubscription?: unknown; sid?: unknown } | undefined;
  return typeof value?.idSubscription === 'string' && typeof value.sid === 'string'
    ? { idSubscription: value.idSubscription, sid: value.sid }
    : undefined;
}
