import { EventEmitter } from 'node:events';
import session from 'express-session';

/**
 * Session stores that take their time: every write waits `delayMs` (or fails while
 * `failing` is set), as a Redis across a network or a busy file store does. Reads
 * are immediate, so a request that arrives before a write completes sees the old
 * session: exactly the race a browser following a 303 at once runs into.
 */
export interface StoreControl {
  delayMs: number;
  failing: boolean;
  /** The stored sessions, as the store holds them (for inspection). */
  readonly sessions: Map<string, unknown>;
}

export function storeControl(delayMs = 60): StoreControl {
  return { delayMs, failing: false, sessions: new Map() };
}

const later = (control: StoreControl) => new Promise((resolve) => setTimeout(resolve, control.delayMs));

/** An express-session store. */
export class SlowExpressStore extends session.Store {
  constructor(private readonly control: StoreControl) {
    super();
  }

  override get(sid: string, callback: (error: unknown, session?: session.SessionData | null) => void): void {
    const stored = this.control.sessions.get(sid) as string | undefined;
    callback(null, stored ? (JSON.parse(stored) as session.SessionData) : null);
  }

  override set(sid: string, value: session.SessionData, callback?: (error?: unknown) => void): void {
    void later(this.control).then(() => {
      if (this.control.failing) return callback?.(new Error('store unavailable (test)'));
      this.control.sessions.set(sid, JSON.stringify(value));
      callback?.();
    });
  }

  override destroy(sid: string, callback?: (error?: unknown) => void): void {
    void later(this.control).then(() => {
      if (this.control.failing) return callback?.(new Error('store unavailable (test)'));
      this.control.sessions.delete(sid);
      callback?.();
    });
  }
}

/** A @fastify/session store (callback API). */
export class SlowFastifyStore extends EventEmitter {
  constructor(private readonly control: StoreControl) {
    super();
  }

  get(sid: string, callback: (error: unknown, session?: unknown) => void): void {
    const stored = this.control.sessions.get(sid) as string | undefined;
    callback(null, stored ? JSON.parse(stored) : null);
  }

  set(sid: string, value: unknown, callback: (error?: unknown) => void): void {
    void later(this.control).then(() => {
      if (this.control.failing) return callback(new Error('store unavailable (test)'));
      this.control.sessions.set(sid, JSON.stringify(value));
      callback();
    });
  }

  destroy(sid: string, callback: (error?: unknown) => void): void {
    void later(this.control).then(() => {
      if (this.control.failing) return callback(new Error('store unavailable (test)'));
      this.control.sessions.delete(sid);
      callback();
    });
  }
}
