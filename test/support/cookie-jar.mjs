// The cookies a browser stand-in keeps between requests: what Set-Cookie answers
// give, minus what they delete (an empty value or an expiry in 1970). Plain ESM, so the
// node:test suites (test/cluster/) use it too; a TypeScript importer adds its typings
// beside it (cookie-jar.d.mts, as session-shape.d.mts has).

export class CookieJar {
  #cookies = new Map();

  /** How many cookies it holds. */
  get size() {
    return this.#cookies.size;
  }

  /** One cookie's value, or undefined. */
  get(name) {
    return this.#cookies.get(name);
  }

  /** The cookies as a Cookie header (to send, or to replay them later). */
  header() {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Replaces the cookies with those of a Cookie header (e.g. one captured earlier). */
  setHeader(header) {
    this.#cookies.clear();
    for (const pair of header.split('; ').filter(Boolean)) this.#set(pair);
    return this;
  }

  /** Keeps what the Set-Cookie headers of an answer set, and forgets what they delete. */
  store(setCookies) {
    for (const cookie of setCookies) {
      const name = this.#set(cookie.split(';')[0]);
      if (this.#cookies.get(name) === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) this.#cookies.delete(name);
    }
  }

  /** A jar holding a copy of these cookies. */
  copy() {
    return new CookieJar().setHeader(this.header());
  }

  #set(pair) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    this.#cookies.set(name, pair.slice(at + 1));
    return name;
  }
}
