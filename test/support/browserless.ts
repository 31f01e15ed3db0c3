import { CookieJar } from './cookie-jar.mjs';

/** A tiny cookie-keeping HTTP client for end-to-end tests (fetch, no redirects followed). */
export class Visitor {
  readonly cookies = new CookieJar();

  constructor(private readonly base: string) {}

  /** The cookies this visitor holds, as a Cookie header (to replay them later). */
  cookieHeader(): string {
    return this.cookies.header();
  }

  /** Replaces the cookies with those of a Cookie header (e.g. one captured earlier). */
  setCookieHeader(header: string): this {
    this.cookies.setHeader(header);
    return this;
  }

  async request(
    method: string,
    path: string,
    options: {
      form?: Record<string, string | string[]>;
      html?: boolean;
      headers?: Record<string, string>;
      deadlineMs?: number;
    } = {},
  ): Promise<{ status: number; location: string | null; body: string; setCookies: string[]; headers: Headers }> {
    const headers: Record<string, string> = {
      accept: options.html === false ? 'application/json' : 'text/html',
      ...options.headers,
    };
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader();
    let body: string | undefined;
    if (options.form) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(options.form)) {
        for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
      }
      body = params.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    // A hard deadline: a stuck request fails the test instead of hanging it.
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.deadlineMs ?? 30_000),
    });
    const setCookies = this.cookies.take(res);
    return {
      status: res.status,
      location: res.headers.get('location'),
      body: await res.text(),
      setCookies,
      headers: res.headers,
    };
  }

  get = (path: string, html = true) => this.request('GET', path, { html });
  post = (path: string, form: Record<string, string | string[]>, html = true) =>
    this.request('POST', path, { form, html });

  /** The CSRF token of the last page's forms. */
  static csrfOf(html: string): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!match) throw new Error('no CSRF token on the page');
    return match[1];
  }
}
