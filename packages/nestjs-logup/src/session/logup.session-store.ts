import { randomBytes } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import { LogupSessionUnavailableException } from '../login/logup.exceptions.js';

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

export function sessionOf(request: unknown): SessionLike | undefined {
  const session = (request as { session?: unknown } | undefined)?.session;
  return typeof session === 'object' && session !== null ? (session as SessionLike) : undefined;
}

const isStore = (session: SessionLike): session is SessionStore =>
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

type SavableSession = { save?: (callback?: (error?: unknown) => void) => unknown; id?: unknown; sessionId?: unknown };

/**
 * Persists the session now, before the answer goes out: express-session would
 * otherwise send the headers (a 303 the browser follows at once) before its store
 * has the login, and @fastify/session saves only as the answer is sent. Cookie
 * sessions (cookie-session, @fastify/secure-session) travel in the answer itself.
 * @throws the store's error.
 */
export async function saveSession(request: unknown): Promise<void> {
  const session = sessionOf(request) as SavableSession | undefined;
  if (!session || typeof session.save !== 'function') return;
  if (typeof session.sessionId === 'string') {
    await session.save(); // @fastify/session: a promise without a callback
    return;
  }
  if (typeof session.id !== 'string') return; // cookie sessions: nothing to persist apart from the answer
  await new Promise<void>((resolve, reject) =>
    session.save!((error?: unknown) =>
      error ? reject(error instanceof Error ? error : new Error('the session store failed')) : resolve(),
    ),
  );
}

/**
 * After a store failure: keeps @fastify/session from writing the same session again
 * as the (503) answer is sent, which would fail once more and turn the answer into a
 * 500. express-session only logs such a second failure; cookie sessions cannot fail.
 */
function abandonSessionWrite(request: unknown): void {
  const session = sessionOf(request) as SavableSession | undefined;
  if (typeof session?.sessionId === 'string') (request as { session?: unknown }).session = null;
}

/**
 * Runs a session write (`what` names it in the log); a session store failure
 * abandons the half-made write and becomes a 503 (`LogupSessionUnavailableException`),
 * its cause logged for the operator. Shared by `LogupGuard` and `LogupService`.
 */
export async function persistOrUnavailable<T>(
  request: unknown,
  what: string,
  write: () => Promise<T>,
  logger: Pick<LoggerService, 'error'>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    logger.error(LOGUP_MESSAGES.sessionStoreFailed(what, error));
    abandonSessionWrite(request);
    throw new LogupSessionUnavailableException();
  }
}
