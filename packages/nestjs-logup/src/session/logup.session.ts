import { createHash, timingSafeEqual } from 'node:crypto';
import { hasSession, randomId, read, saveSession, write } from './logup.session-store.js';

export { hasSession } from './logup.session-store.js';
import { carriedEntries, regenerate } from './logup.session-renewal.js';
import { signedOutSince } from './logup.revocation.js';
import { defaultSessionKey, logupSessionKeys } from '../options/logup.option-rules.js';
import type { LogupConfig } from '../options/logup-module-options.interface.js';

/** What the guard keeps in the session: ids and times only, never tokens or the DB. */
export interface LogupSessionValue {
  idSubscription: string;
  idActor?: string;
  isNewUser?: boolean;
  /** This login's id, for logout (revocation). */
  sid: string;
  /** When the visitor logged in (epoch ms), checked against `sessionMaxAgeSeconds`. */
  issuedAt: number;
  /**
   * A short SHA-256 digest of the (spent, single-use) logupToken this login came from,
   * so that the same callback repeated by this browser (reload, back/forward) answers as
   * the first did without asking LogUp again. Never the token itself.
   */
  tokenHash?: string;
}

/** A login started by `LogupService.startLogin()`, waiting for its callback. */
export interface LogupPendingLogin {
  /** Random, single-use; carried through the redirect in `'nonce'` mode. */
  nonce: string;
  /** Epoch ms after which the callback is refused. */
  expiresAt: number;
}

const pendingKey = (sessionKey: string) => logupSessionKeys(sessionKey).pending;

/** Records a pending login in the session (needs a session and a `sessionKey`), persisted before it resolves. */
export async function startPendingLogin(request: unknown, config: LogupConfig): Promise<LogupPendingLogin | undefined> {
  if (config.sessionKey === false || !hasSession(request)) return undefined;
  const pending = { nonce: randomId(), expiresAt: Date.now() + config.pendingLoginTtlSeconds * 1000 };
  write(request, pendingKey(config.sessionKey), pending);
  await saveSession(request);
  return pending;
}

/** The pending login in the session, left in place (undefined when there is none or it is malformed). */
export function peekPendingLogin(request: unknown, config: LogupConfig): LogupPendingLogin | undefined {
  if (config.sessionKey === false) return undefined;
  const value = read(request, pendingKey(config.sessionKey)) as Partial<LogupPendingLogin> | undefined;
  return typeof value?.nonce === 'string' && typeof value.expiresAt === 'number'
    ? (value as LogupPendingLogin)
    : undefined;
}

/**
 * Takes the pending login: removes it from the session and claims its nonce in the
 * server-side store, atomically, so it serves a single callback even when the
 * pre-login cookie is replayed or two callbacks race. Resolves to the pending login,
 * `'used'` when another callback claimed it first, or undefined when there is none.
 */
export async function takePendingLogin(
  request: unknown,
  config: LogupConfig,
): Promise<LogupPendingLogin | 'used' | undefined> {
  if (config.sessionKey === false) return undefined;
  const raw = read(request, pendingKey(config.sessionKey));
  if (raw === undefined) return undefined;
  write(request, pendingKey(config.sessionKey), undefined);
  const pending = peekPendingValue(raw);
  if (!pending) return undefined;
  const first = await claimOnce(config, `pending:${pending.nonce}`, pending.expiresAt);
  return first ? pending : 'used';
}

function peekPendingValue(value: unknown): LogupPendingLogin | undefined {
  const pending = value as Partial<LogupPendingLogin> | undefined;
  return typeof pending?.nonce === 'string' && typeof pending.expiresAt === 'number'
    ? (pending as LogupPendingLogin)
    : undefined;
}

/** Claims, in process memory, what a store without `claim()` cannot: first caller wins. */
const localClaims = new Map<string, number>();

/** True for the first caller to claim `id` before `expiresAt` (the store's `claim`, else process memory). */
async function claimOnce(config: LogupConfig, id: string, expiresAt: number): Promise<boolean> {
  const store = config.sessionRevocation;
  if (typeof store.claim === 'function') return store.claim(id, expiresAt);
  const now = Date.now();
  for (const [key, until] of localClaims) if (until <= now) localClaims.delete(key);
  if (localClaims.has(id)) return false;
  localClaims.set(id, expiresAt);
  return true;
}

/** The digest of a logupToken kept beside a login (`tokenHash`): 128 bits of SHA-256, base64url. */
export function tokenHashOf(logupToken: string): string {
  return createHash('sha256').update(logupToken).digest('base64url').slice(0, 22);
}

/** Constant-time comparison of a nonce from the query with the pending one. */
export function nonceMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/** The logged-in visitor's session value, unless missing, malformed, too old or logged out. */
export async function readLogin(request: unknown, config: LogupConfig): Promise<LogupSessionValue | undefined> {
  if (config.sessionKey === false) return undefined;
  const value = read(request, config.sessionKey) as Partial<LogupSessionValue> | undefined;
  if (typeof value?.idSubscription !== 'string' || typeof value.sid !== 'string') return undefined;
  if (typeof value.issuedAt !== 'number' || Date.now() - value.issuedAt > config.sessionMaxAgeSeconds * 1000) {
    return undefined;
  }
  if (await config.sessionRevocation.isRevoked(value.sid)) return undefined;
  if (await signedOutSince(config, value.idSubscription, value.issuedAt)) return undefined;
  return value as LogupSessionValue;
}

/** A new login value for the session (a fresh `sid`, issued now). */
export function newLoginValue(ids: {
  idSubscription: string;
  idActor?: string;
  isNewUser?: boolean;
  tokenHash?: string;
}): LogupSessionValue {
  const value: LogupSessionValue = { idSubscription: ids.idSubscription, sid: randomId(), issuedAt: Date.now() };
  if (ids.idActor !== undefined) value.idActor = ids.idActor;
  if (ids.isNewUser !== undefined) value.isNewUser = ids.isNewUser;
  if (ids.tokenHash !== undefined) value.tokenHash = ids.tokenHash;
  return value;
}

/**
 * Keeps a login in a new session; ends any login this gate's key held before. What
 * else the session holds (the app's own keys, other gates' logins) is carried across
 * the new session id.
 */
export async function writeLogin(request: unknown, config: LogupConfig, value: LogupSessionValue): Promise<void> {
  if (config.sessionKey === false || !hasSession(request)) return;
  const previous = read(request, config.sessionKey) as Partial<LogupSessionValue> | undefined;
  // Writing the same login again (a repeated callback) must not revoke it.
  if (previous?.sid !== value.sid) await endLogin(request, config, false);
  const kept = carriedEntries(request);
  const renewal = value.tokenHash ? { key: renewedKey(config.sessionKey), value } : undefined;
  await regenerate(request, renewal);
  for (const [key, entry] of kept) write(request, key, entry);
  write(request, config.sessionKey, value);
  await saveSession(request);
}

const renewedKey = (sessionKey: string) => logupSessionKeys(sessionKey).renewed;

/**
 * The login a callback made with this token before the session id was renewed, read
 * from the marker the pre-login session id now holds (express-session), or undefined.
 */
export function renewedLogin(request: unknown, config: LogupConfig, tokenHash: string): LogupSessionValue | undefined {
  if (config.sessionKey === false) return undefined;
  const value = read(request, renewedKey(config.sessionKey)) as Partial<LogupSessionValue> | undefined;
  return value?.tokenHash === tokenHash && typeof value.sid === 'string' && typeof value.idSubscription === 'string'
    ? (value as LogupSessionValue)
    : undefined;
}

/** Logs the visitor out: revokes the login (a copied cookie stops working), clears it, and persists the session. */
export async function endLogin(request: unknown, config: LogupConfig, persist = true): Promise<boolean> {
  if (config.sessionKey === false || !hasSession(request)) return false;
  const value = read(request, config.sessionKey) as Partial<LogupSessionValue> | undefined;
  write(request, config.sessionKey, undefined);
  write(request, pendingKey(config.sessionKey), undefined);
  if (typeof value?.sid === 'string') {
    const expiresAt =
      (typeof value.issuedAt === 'number' ? value.issuedAt : Date.now()) + config.sessionMaxAgeSeconds * 1000;
    await config.sessionRevocation.revoke(value.sid, expiresAt);
  }
  if (persist) await saveSession(request);
  return typeof value?.sid === 'string';
}

/**
 * Removes what `LogupGuard` keeps under `sessionKey` (no revocation).
 * @deprecated Use `LogupService.logout(request)`: it knows the configured key and
 * revokes the login on the server.
 */
export function clearLogupSession(request: unknown, sessionKey = defaultSessionKey()): void {
  write(request, sessionKey, undefined);
  write(request, pendingKey(sessionKey), undefined);
}
