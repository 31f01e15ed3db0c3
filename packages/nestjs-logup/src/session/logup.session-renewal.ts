import { isOneCallbackSessionKey } from '../options/logup.option-rules.js';
import { sessionOf } from './logup.session-store.js';

/**
 * A new session id at login (against session fixation), keeping what the session held.
 *
 * - express-session: the old session is replaced in its store by a marker session
 *   that holds only `renewal` (the login just made, for 60 s), so a browser that
 *   repeats the callback with the pre-login cookie (a reload of a cancelled
 *   navigation) gets the same login instead of an empty session; it holds no login
 *   of its own, so a planted session id is still worthless.
 * - @fastify/session: its promise-returning `regenerate()`.
 * - Cookie sessions (cookie-session, @fastify/secure-session) have no id.
 */
interface LogupRenewal {
  /** The session key the marker is kept under (`logupSessionKeys(sessionKey).renewed`). */
  key: string;
  value: unknown;
}

/** How long the pre-login session id keeps its renewal marker, in ms. */
const RENEWAL_MARKER_MS = 60_000;

interface ExpressStore {
  generate(request: unknown): void;
  set(id: string, session: unknown, callback: (error?: unknown) => void): void;
}

type RenewableSession = { regenerate?: (...args: unknown[]) => unknown; id?: unknown; sessionId?: unknown };

const failed = (error: unknown) => (error instanceof Error ? error : new Error('the session could not be renewed'));

/** Renews the session id (see {@link LogupRenewal}). */
export async function regenerate(request: unknown, renewal?: LogupRenewal): Promise<void> {
  const session = sessionOf(request) as RenewableSession | undefined;
  if (!session || typeof session.regenerate !== 'function') return;
  if (typeof session.sessionId === 'string') {
    await session.regenerate(); // @fastify/session
    return;
  }
  if (typeof session.id !== 'string') return;
  const store = (request as { sessionStore?: Partial<ExpressStore> }).sessionStore;
  if (renewal && typeof store?.generate === 'function' && typeof store.set === 'function') {
    // express-session's own regenerate() is store.destroy(old) + store.generate(req);
    // here the old id is overwritten with the marker instead of destroyed.
    const oldId = session.id;
    store.generate(request);
    const expires = new Date(Date.now() + RENEWAL_MARKER_MS);
    const marker = { cookie: { originalMaxAge: RENEWAL_MARKER_MS, expires, httpOnly: true, path: '/' } };
    await new Promise<void>((resolve, reject) =>
      store.set!(oldId, { ...marker, [renewal.key]: renewal.value }, (error) =>
        error ? reject(failed(error)) : resolve(),
      ),
    );
    return;
  }
  await new Promise<void>((resolve, reject) =>
    session.regenerate!.call(session, (error: unknown) => (error ? reject(failed(error)) : resolve())),
  );
}

/** Session fields express-session and @fastify/session manage themselves, never copied across a new session id. */
const SESSION_OWN_FIELDS = new Set(['cookie', 'id', 'req', 'sessionId', 'encryptedSessionId']);

/**
 * What a session whose id is renewed at login (express-session, @fastify/session)
 * holds besides its own fields: the app's keys (a cart, a locale) and every gate's
 * login, to carry across the new id. Pending logins and renewal markers are not
 * carried: each serves one callback.
 */
export function carriedEntries(request: unknown): [string, unknown][] {
  const session = sessionOf(request) as (RenewableSession & Record<string, unknown>) | undefined;
  if (!session || typeof session.regenerate !== 'function') return [];
  // Only sessions whose id is renewed: a cookie session (@fastify/secure-session has a
  // regenerate() too) keeps its data, and its own fields are not data.
  if (typeof session.id !== 'string' && typeof session.sessionId !== 'string') return [];
  return Object.keys(session)
    .filter((key) => !SESSION_OWN_FIELDS.has(key) && !isOneCallbackSessionKey(key))
    .map((key) => [key, session[key]]);
}
