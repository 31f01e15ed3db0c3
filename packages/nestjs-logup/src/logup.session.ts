import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { LogupConfig } from './logup-module-options.interface.js';

/**
 * Reads and writes `request.session`, whatever the session library: a plain object
 * (express-session, cookie-session) or a `get`/`set` store (@fastify/secure-session,
 * @fastify/session).
 */
interface SessionStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

type SessionLike = Record<string, unknown> | SessionStore;

/** What the guard keeps in the session: ids and times only, never tokens or the DB. */
export interface LogupSessionValue {
  idSubscription: string;
  idActor?: string;
  isNewUser?: boolean;
  /** This login's id, for logout (revocation). */
  sid: string;
  /** When the visitor logged in (epoch ms), checked against `sessionMaxAgeSeconds`. */
  issuedAt: number;
}

/** A login started by `LogupService.startLogin()`, waiting for its callback. */
export interface LogupPendingLogin {
  /** Random, single-use; carried through the redirect in `'nonce'` mode. */
  nonce: string;
  /** Epoch ms after which the callback is refused. */
  expiresAt: number;
}

function sessionOf(request: unknown): SessionLike | undefined {
  const session = (request as { session?: unknown } | undefined)?.session;
  return typeof session === 'object' && session !== null ? (session as SessionLike) : undefined;
}

const isStore = (session: SessionLike): session is SessionStore =>
  typeof (session as SessionStore).get === 'function' && typeof (session as SessionStore).set === 'function';

/** Whether the request has a session the guard can use. */
export function hasSession(request: unknown): boolean {
  return sessionOf(request) !== undefined;
}

function read(request: unknown, key: string): unknown {
  const session = sessionOf(request);
  if (!session) return undefined;
  return isStore(session) ? session.get(key) : session[key];
}

function write(request: unknown, key: string, value: unknown): void {
  const session = sessionOf(request);
  if (!session) return;
  if (isStore(session)) session.set(key, value);
  else if (value === undefined) delete session[key];
  else session[key] = value;
}

const pendingKey = (sessionKey: string) => `${sessionKey}:pending`;
const randomId = () => randomBytes(18).toString('base64url');

/**
 * Gives the visitor a new session id before logging them in, so a session id planted
 * before login is worthless after it: express-session's `regenerate(callback)` and
 * @fastify/session's promise-returning `regenerate()`. Cookie sessions have no id.
 */
async function regenerate(request: unknown): Promise<void> {
  const session = sessionOf(request) as
    { regenerate?: (...args: unknown[]) => unknown; id?: unknown; sessionId?: unknown } | undefined;
  if (!session || typeof session.regenerate !== 'function') return;
  if (typeof session.sessionId === 'string') {
    await session.regenerate(); // @fastify/session
    return;
  }
  if (typeof session.id !== 'string') return;
  await new Promise<void>((resolve, reject) =>
    session.regenerate!.call(session, (error: unknown) =>
      error ? reject(error instanceof Error ? error : new Error('the session could not be regenerated')) : resolve(),
    ),
  );
}

/** The other gates' login values in a plain-object session (express-session), to carry across `regenerate`. */
function otherLogins(request: unknown, sessionKey: string): [string, unknown][] {
  const session = sessionOf(request);
  if (!session || isStore(session)) return [];
  return Object.keys(session)
    .filter((key) => key !== sessionKey && (key === 'logup' || key.startsWith('logup.')) && !key.endsWith(':pending'))
    .map((key) => [key, session[key]]);
}

/** Records a pending login in the session (needs a session and a `sessionKey`). */
export function startPendingLogin(request: unknown, config: LogupConfig): LogupPendingLogin | undefined {
  if (config.sessionKey === false || !hasSession(request)) return undefined;
  const pending = { nonce: randomId(), expiresAt: Date.now() + config.pendingLoginTtlSeconds * 1000 };
  write(request, pendingKey(config.sessionKey), pending);
  return pending;
}

/** Takes (reads and removes) the pending login: each one serves a single callback. */
export function takePendingLogin(request: unknown, config: LogupConfig): LogupPendingLogin | undefined {
  if (config.sessionKey === false) return undefined;
  const value = read(request, pendingKey(config.sessionKey)) as Partial<LogupPendingLogin> | undefined;
  if (value === undefined) return undefined;
  write(request, pendingKey(config.sessionKey), undefined);
  return typeof value?.nonce === 'string' && typeof value.expiresAt === 'number'
    ? (value as LogupPendingLogin)
    : undefined;
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
  return value as LogupSessionValue;
}

/** Keeps the visitor's ids in a new session; ends any login the session held before. */
export async function writeLogin(
  request: unknown,
  config: LogupConfig,
  ids: { idSubscription: string; idActor?: string; isNewUser?: boolean },
): Promise<void> {
  if (config.sessionKey === false || !hasSession(request)) return;
  await endLogin(request, config);
  // Other gates' logins (keys `logup` and `logup.<name>`) survive the new session id.
  const others = otherLogins(request, config.sessionKey);
  await regenerate(request);
  for (const [key, value] of others) write(request, key, value);
  const value: LogupSessionValue = { idSubscription: ids.idSubscription, sid: randomId(), issuedAt: Date.now() };
  if (ids.idActor !== undefined) value.idActor = ids.idActor;
  if (ids.isNewUser !== undefined) value.isNewUser = ids.isNewUser;
  write(request, config.sessionKey, value);
}

/** Logs the visitor out: revokes the login (a copied cookie stops working) and clears it. */
export async function endLogin(request: unknown, config: LogupConfig): Promise<boolean> {
  if (config.sessionKey === false || !hasSession(request)) return false;
  const value = read(request, config.sessionKey) as Partial<LogupSessionValue> | undefined;
  write(request, config.sessionKey, undefined);
  write(request, pendingKey(config.sessionKey), undefined);
  if (typeof value?.sid !== 'string') return false;
  const expiresAt =
    (typeof value.issuedAt === 'number' ? value.issuedAt : Date.now()) + config.sessionMaxAgeSeconds * 1000;
  await config.sessionRevocation.revoke(value.sid, expiresAt);
  return true;
}

/**
 * Removes what `LogupGuard` keeps under `sessionKey` (no revocation).
 * @deprecated Use `LogupService.logout(request)`: it knows the configured key and
 * revokes the login on the server.
 */
export function clearLogupSession(request: unknown, sessionKey = 'logup'): void {
  write(request, sessionKey, undefined);
  write(request, pendingKey(sessionKey), undefined);
}
