/** The subscription DB a path addresses (`/subscription/<id>/db`), without its query. */
const dbOf = (path: string): string => {
  const query = path.indexOf('?');
  return query < 0 ? path : path.slice(0, query);
};

/**
 * Identical reads in flight share one call: a second `GET` of the same path (same
 * subscription, same `keys`) made while the first is still waiting for LogUp gets
 * the first one's answer instead of a request of its own. So 300 aliases of one
 * GraphQL field, or a burst of page views of one visitor, cost LogUp one read.
 *
 * Nothing is cached once the read settles, and a write never lets a later read see
 * an older DB: a `PUT` or `DELETE` of a subscription's DB, when it starts and again
 * when it ends, detaches the reads in flight for that DB, so a read that starts
 * after it (or during it) goes to LogUp. Internal.
 */
export class LogupSharedReads<T> {
  /** In-flight reads by DB path, then by full path (with the query). */
  readonly #inFlight = new Map<string, Map<string, Promise<T>>>();

  /** Runs `read`, or joins the identical read already in flight. */
  read(path: string, read: () => Promise<T>): Promise<T> {
    const db = dbOf(path);
    let reads = this.#inFlight.get(db);
    const joined = reads?.get(path);
    if (joined) return joined;
    const promise = read().finally(() => {
      const current = this.#inFlight.get(db);
      if (current?.get(path) !== promise) return;
      current.delete(path);
      if (current.size === 0) this.#inFlight.delete(db);
    });
    if (!reads) {
      reads = new Map();
      this.#inFlight.set(db, reads);
    }
    reads.set(path, promise);
    return promise;
  }

  /** Runs a write of the DB at `path`: reads in flight are detached before and after it. */
  async write<R>(path: string, write: () => Promise<R>): Promise<R> {
    const db = dbOf(path);
    this.#inFlight.delete(db);
    try {
      return await write();
    } finally {
      this.#inFlight.delete(db);
    }
  }

  /** Reads in flight, for tests and metrics. */
  get size(): number {
    let n = 0;
    for (const reads of this.#inFlight.values()) n += reads.size;
    return n;
  }
}
