// A browser stand-in for the cluster suites: it keeps cookies (test/support/cookie-jar.mjs)
// and speaks from its own loopback address (127.0.0.x), since the callback rate limit
// counts per client address; every request has a hard deadline.
import { request as httpRequest } from 'node:http';
import { clearTimeout, setTimeout } from 'node:timers';
import { URL, URLSearchParams } from 'node:url';
import { CookieJar } from '../support/cookie-jar.mjs';

export class Visitor {
  cookies = new CookieJar();

  constructor(base, localAddress) {
    this.base = new URL(base);
    this.localAddress = localAddress;
  }

  /** One request; resolves to { status, headers, body, replica, location, ms }. */
  request(method, path, { form, json = false, headers = {}, deadlineMs = 30_000 } = {}) {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const all = { accept: json ? 'application/json' : 'text/html', ...headers };
    if (this.cookies.size > 0) all.cookie = this.cookies.header();
    if (body !== undefined) {
      all['content-type'] = 'application/x-www-form-urlencoded';
      all['content-length'] = String(Buffer.byteLength(body));
    }
    const { hostname: host, port } = this.base;
    const options = { host, port, path, method, headers: all, localAddress: this.localAddress, agent: false };
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const req = httpRequest(options, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          clearTimeout(timer);
          this.cookies.store([res.headers['set-cookie'] ?? []].flat());
          const { statusCode: status, headers } = res;
          const answer = { status, headers, body: text, replica: headers['x-replica'], location: headers.location };
          resolve({ ...answer, ms: Date.now() - started });
        });
        res.on('error', reject);
      });
      // A hard deadline: a hung answer fails the test instead of hanging it.
      const timer = setTimeout(
        () => req.destroy(new Error(`${method} ${path} got no answer within ${deadlineMs} ms`)),
        deadlineMs,
      );
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(body);
    });
  }

  get = (path, options) => this.request('GET', path, options);
  post = (path, form, options) => this.request('POST', path, { ...options, form });

  /** A visitor with a copy of this one's cookies (a cookie copied by someone else), on `base` or the same site. */
  clone(localAddress, base = this.base.toString()) {
    const copy = new Visitor(base, localAddress);
    copy.cookies = this.cookies.copy();
    return copy;
  }
}
