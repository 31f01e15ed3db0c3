import type { LogupConfig } from '../options/logup-module-options.interface.js';

/**
 * Where a request comes from, as the browser tells it: Fetch Metadata
 * (`Sec-Fetch-Site`, `Sec-Fetch-Mode`, `Sec-Purpose`), `Origin` and `Referer`
 * (W3C Fetch Metadata Request Headers; RFC 6454; RFC 9110 §10.1.3). Pure functions:
 * each returns why a request is refused, or undefined; the caller answers and logs.
 */
type Request = { method?: unknown; headers?: Record<string, string | string[] | undefined> };

/** One request header as a string (the first value of a repeated one), or undefined. */
export function headerOf(request: unknown, name: string): string | undefined {
  const value = (request as Request | undefined)?.headers?.[name];
  return Array.isArray(value) ? value[0] : typeof value === 'string' ? value : undefined;
}

/** The host (name and port) of an absolute URL, lower-cased; undefined when it is not one. */
function hostOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** Whether an Origin/Referer URL is the app's own origin (the request's `Host`) or one of `trustedOrigins`. */
function isOwnOrTrusted(request: unknown, url: string, config: LogupConfig): boolean {
  const host = hostOf(url);
  if (!host) return false;
  if (host === headerOf(request, 'host')?.toLowerCase()) return true;
  return config.trustedOrigins.some((origin) => hostOf(origin) === host);
}

/** Whether a URL is on LogUp's side: the API's origin, or logup.co and its subdomains over HTTPS when the API is LogUp's. */
function isLogup(url: string, config: LogupConfig): boolean {
  const host = hostOf(url);
  if (!host) return false;
  if (host === hostOf(config.baseUrl)) return true;
  const api = new URL(config.baseUrl).hostname;
  const logupDomain = api === 'logup.co' || api.endsWith('.logup.co');
  const hostname = host.replace(/:\d+$/, '');
  return logupDomain && url.startsWith('https:') && (hostname === 'logup.co' || hostname.endsWith('.logup.co'));
}

/**
 * Why a login start must be refused as initiated by another site, or undefined.
 * Refused: an `Origin` that is neither the app's nor a trusted one;
 * `Sec-Fetch-Site: cross-site` or `same-site` without such an Origin (a link, a popup
 * or a form of another site); `Origin: null` unless Fetch Metadata says same-origin
 * (a same-origin POST under `Referrer-Policy: no-referrer` sends `null` too). Allowed: same-origin requests and `Sec-Fetch-Site: none`
 * (typed, bookmarked); a request with neither header (an old browser's GET) too, which
 * is why the login should start with a POST: browsers send `Origin` on every POST.
 */
export function crossSiteStartProblem(request: unknown, config: LogupConfig): string | undefined {
  const origin = headerOf(request, 'origin');
  const site = headerOf(request, 'sec-fetch-site');
  // `Origin: null` is what a same-origin POST sends under `Referrer-Policy: no-referrer`,
  // and also what a sandboxed frame sends: Fetch Metadata tells them apart.
  if (origin !== undefined && origin !== 'null') {
    return isOwnOrTrusted(request, origin, config) ? undefined : `it came from the origin ${safe(origin)}`;
  }
  if (site === 'cross-site' || site === 'same-site') return `Sec-Fetch-Site is ${site}`;
  if (origin === 'null' && site !== 'same-origin' && site !== 'none') return 'it came from an opaque origin (null)';
  return undefined;
}

/**
 * Why a request to the callback must not spend its token, or undefined. Never: a
 * HEAD or OPTIONS (link checkers, preflights), a prefetch or prerender. With
 * `loginBinding: 'off'` (nothing else ties the callback to a browser) only a
 * navigation (`Sec-Fetch-Mode: navigate`), the site's own script
 * (`Sec-Fetch-Site: same-origin`) or a client that is not a browser (no
 * `Sec-Fetch-Site`) asking for JSON may verify: a link checker or crawler asks for
 * HTML or anything.
 */
export function callbackRequestProblem(request: unknown, config: LogupConfig): string | undefined {
  const method = (request as Request | undefined)?.method;
  if (typeof method === 'string' && ['HEAD', 'OPTIONS'].includes(method.toUpperCase())) {
    return `the method is ${method.toUpperCase()}`;
  }
  const purpose = `${headerOf(request, 'sec-purpose') ?? ''} ${headerOf(request, 'purpose') ?? ''}`.toLowerCase();
  if (purpose.includes('prefetch') || purpose.includes('prerender')) return 'it is a prefetch';
  if (config.loginBinding !== 'off') return undefined;
  const mode = headerOf(request, 'sec-fetch-mode');
  const site = headerOf(request, 'sec-fetch-site');
  if (mode === 'navigate' || site === 'same-origin') return undefined;
  if (site === undefined && /application\/json/i.test(headerOf(request, 'accept') ?? '')) {
    return undefined;
  }
  return 'it is neither a browser navigation, a request of the site itself, nor an API client asking for JSON';
}

/**
 * Why a callback's `Referer` shows it was sent by a page that is neither LogUp's nor
 * the app's (nor a trusted origin), or undefined. A missing `Referer` is allowed:
 * browsers and `Referrer-Policy: no-referrer` drop it, so its absence proves nothing.
 */
export function referrerProblem(request: unknown, config: LogupConfig): string | undefined {
  const referer = headerOf(request, 'referer');
  if (referer === undefined || referer === '') return undefined;
  if (isLogup(referer, config) || isOwnOrTrusted(request, referer, config)) return undefined;
  const host = hostOf(referer);
  return `it was sent by a page of ${host ? safe(host) : 'an unreadable Referer'}`;
}

/** A header value as it may appear in a log line: one short line. */
function safe(value: string): string {
  return JSON.stringify(value.replace(/[^\x20-\x7e]/g, '?').slice(0, 100));
}
