/**
 * The visitor's cookie session, the same on both adapters: cookie-session on
 * Express (`req.session` is a plain object) and @fastify/secure-session on
 * Fastify (`request.session.get/set/delete`).
 */
export interface SampleSession {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  /** Ends the session: the cookie is cleared. */
  destroy(): void;
}

interface FastifySession {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  /** @fastify/secure-session */
  delete?(): void;
  /** @fastify/session (REDIS_URL): removes the session from the store. */
  destroy?(callback: (error?: unknown) => void): void;
}

export function sessionOf(request: Record<string, unknown>): SampleSession {
  const session = request.session as Record<string, unknown> | FastifySession | null | undefined;
  if (session && typeof (session as FastifySession).get === 'function') {
    const store = session as FastifySession;
    return {
      get: <T>(key: string) => store.get(key) as T | undefined,
      set: (key, value) => store.set(key, value),
      destroy: () => (store.delete ? store.delete() : store.destroy?.(() => undefined)),
    };
  }
  return {
    get: <T>(key: string) => (request.session as Record<string, unknown> | null | undefined)?.[key] as T | undefined,
    set: (key, value) => {
      request.session ??= {};
      (request.session as Record<string, unknown>)[key] = value;
    },
    destroy: () => {
      // express-session (REDIS_URL): also remove the session from the store.
      (request.session as { destroy?: (callback: () => void) => void } | null)?.destroy?.(() => undefined);
      request.session = null;
    },
  };
}
