/**
 * Reads and writes one value of `request.session`, whatever the session library:
 * a plain object (express-session, cookie-session) or a `get`/`set` store
 * (@fastify/secure-session, @fastify/session).
 */
interface SessionStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

type SessionLike = Record<string, unknown> | SessionStore;

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

export function readSession(request: unknown, key: string): unknown {
  const session = sessionOf(request);
  if (!session) return undefined;
  return isStore(session) ? session.get(key) : session[key];
}

export function writeSession(request: unknown, key: string, value: unknown): void {
  const session = sessionOf(request);
  if (!session) return;
  if (isStore(session)) session.set(key, value);
  else session[key] = value;
}

/**
 * Gives the visitor a new session id before logging them in (express-session's
 * `regenerate`), so a session id planted before login is worthless after it.
 */
export async function regenerateSession(request: unknown): Promise<void> {
  const session = sessionOf(request) as { regenerate?: unknown; id?: unknown } | undefined;
  if (!session || typeof session.regenerate !== 'function' || typeof session.id !== 'string') return;
  await new Promise<void>((resolve, reject) =>
    (session.regenerate as (cb: (error?: unknown) => void) => void).call(session, (error) =>
      error
        ? reject(error instanceof Error ? error : new Error('express-session could not regenerate the session'))
        : resolve(),
    ),
  );
}

/**
 * Logs the visitor out: removes what `LogupGuard` keeps in the request's session.
 * @example
 * `@Post('logout') logout(@Req() req: Request) { clearLogupSession(req); }`
 */
export function clearLogupSession(request: unknown, sessionKey = 'logup'): void {
  const session = sessionOf(request);
  if (!session) return;
  if (isStore(session)) session.set(sessionKey, undefined);
  else delete session[sessionKey];
}
