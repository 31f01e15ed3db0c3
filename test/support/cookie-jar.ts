/** The value of cookie `name` in a Cookie header (`a=1; b=2`), if it is there. */
export function cookieValue(header: string, name: string): string | undefined {
  return header
    .split('; ')
    .find((pair) => pair.startsWith(`${name}=`))
    ?.slice(name.length + 1);
}

/** A browser's cookie store for one site, as the end-to-end tests need it: no paths, no expiry times. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  get size(): number {
    return this.cookies.size;
  }

  /** The cookies held, as a Cookie header (to send, or to replay later). */
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Replaces the cookies with those of a Cookie header (e.g. one captured earlier). */
  setHeader(header: string): this {
    this.cookies.clear();
    for (const pair of header.split('; ').filter(Boolean)) {
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return this;
  }

  /** Keeps what an answer's Set-Cookie headers set, and drops what they clear; returns them. */
  take(answer: { headers: Headers }): string[] {
    const setCookies = answer.headers.getSetCookie();
    for (const cookie of setCookies) {
      const [, name, value] = /^([^=;]*)=([^;]*)/.exec(cookie) ?? [];
      if (name === undefined) continue;
      const cleared = value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie);
      if (cleared) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return setCookies;
  }

  /** A fetch on `base` that sends these cookies, keeps what the answer sets, and follows no redirect. */
  fetcher(base: string): (path: string, init?: RequestInit) => Promise<Response> {
    return async (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (this.size > 0) headers.set('cookie', this.header());
      const res = await fetch(`${base}${path}`, { ...init, headers, redirect: 'manual' });
      this.take(res);
      return res;
    };
  }
}
