import { randomBytes } from 'node:crypto';

/**
 * Reads and writes `request.session`, whatever the session library: a plain object
 * (express-session, cookie-session) or a `get`/`set` store (@fastify/secure-session,
 * @fastify/session).
 */
export interface SessionStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export type SessionLike = Record<string, unknown> | SessionStore;

export function sessionOf(request: unknown): SessionLike | undefined {
  const session = (request as { session?: unknown } | undefined)?.session;
  return typeof session === 'object' && session !== null ? (session as SessionLike) : undefined;
}

export const isStore = (session: SessionLike): session is SessionStore =>
  typeof (session as SessionStore).get === 'function' && typeof (session as SessionStore).set === 'function';

/** Whether the request has a session the guard can use. */
export function hasSession(request: unknown): boolean {
  return sessionOf(request) !== undefined;
}

export function read(request: unknown, key: string): unknown {
  const session = sessionOf(request);
  if (!session) return undefined;
  return isStore(session) ? session.get(key) : session[key];
}

export function write(request: unknown, key: string, value: unknown): void {
  const session = sessionOf(request);
  if (!session) return;
  if (isStore(session)) session.set(key, value);
  else if (value === undefined) delete session[key];
  else session[key] = value;
}

/** A random id (sid, nonce): 144 bits, base64url. */
export const randomId = (): string => randomBytes(18).toString('base64url');
