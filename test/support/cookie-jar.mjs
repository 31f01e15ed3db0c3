// The one cookie jar of the tests: the cookies a browser stand-in keeps for one site
// between requests, what Set-Cookie answers give minus what they delete (an empty
// value or an expiry in 1970); no paths, no expiry times. Plain ESM, so the node:test
// suites (test/cluster/) use it as the jest suites do; typed in cookie-jar.d.mts.

/** The value of cookie `name` in a Cookie header (`a=1; b=2`), if it is there. */
export function cookieValue(header, name) {
  return header
    .split('; ')
    .find((pair) => pair.startsWith(`${name}=`))
    ?.slice(name.length + 1);
}

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
    for (const pair of header.split('; ').filter(Boolean)) {
      const at = pair.indexOf('=');
      this.#cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return this;
  }

  /** Keeps what these Set-Cookie headers set, and forgets what they delete. */
  store(setCookies) {
    for (const cookie of setCookies) {
      const [, name, value] = /^([^=;]*)=([^;]*)/.exec(cookie) ?? [];
      if (name === undefined) continue;
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  /** Keeps what an answer's Set-Cookie headers set, and drops what they clear; returns them. */
  take(answer) {
    const setCookies = answer.headers.getSetCookie();
    this.store(setCookies);
    return setCookies;
  }

  /** A jar holding a copy of these cookies. */
  copy() {
    return new CookieJar().setHeader(this.header());
  }

  /** A fetch on `base` that sends these cookies, keeps what the answer sets, and follows no redirect. */
  fetcher(base) {
    return async (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (this.size > 0) headers.set('cookie', this.header());
      const res = await fetch(`${base}${path}`, { ...init, headers, redirect: 'manual' });
      this.take(res);
      return res;
    };
  }
}
