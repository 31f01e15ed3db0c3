import { allow, readText, sendHtml, type EmulatorExchange } from './emulator.http.js';
import type { EmulatorState } from './emulator.state.js';
import type { EmulatorGate, EmulatorLogin } from './emulator.types.js';
import { loginError, loginForm } from './login-page.html.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether the hosted page may send a gate's visitors to `redirect`: an http(s)
 * URL without credentials whose scheme, host and port equal those of the gate's
 * `redirectUrl` or one of its `redirectUrls`, and whose path equals that URL's
 * path or continues it after a `/` (so `/cb` allows `/cb`, `/cb?x` and `/cb/x`,
 * never `/cbEVIL` or `/cb-admin`). With neither configured, any loopback
 * http(s) URL is allowed.
 */
export function isRedirectAllowed(gate: EmulatorGate, redirect: string): boolean {
  const target = httpUrl(redirect);
  if (!target) return false;
  const allowed = [gate.redirectUrl, ...(gate.redirectUrls ?? [])].filter((u) => u !== undefined);
  if (allowed.length === 0) return LOOPBACK_HOSTS.has(target.hostname);
  return allowed.some((text) => {
    const prefix = httpUrl(text);
    return prefix !== undefined && sameOrigin(prefix, target) && isPathWithin(target.pathname, prefix.pathname);
  });
}

/** The same origin, where `localhost`, `127.0.0.1` and `[::1]` (same scheme and port) count as one. */
function sameOrigin(a: URL, b: URL): boolean {
  if (a.origin === b.origin) return true;
  return (
    a.protocol === b.protocol && a.port === b.port && LOOPBACK_HOSTS.has(a.hostname) && LOOPBACK_HOSTS.has(b.hostname)
  );
}

/**
 * The redirect URL on the loopback host the login was started from (the page's
 * `Referer`): an app on `http://127.0.0.1:3000` whose gate says
 * `http://localhost:3000/...` gets its visitors back on 127.0.0.1, with the
 * session cookie it set there. Any other redirect is kept as it is.
 */
function onStartingHost(redirect: string, referer: string | undefined): string {
  const from = httpUrl(referer ?? '');
  const target = new URL(redirect);
  if (!from || from.hostname === target.hostname || !sameOrigin(from, target)) return redirect;
  target.hostname = from.hostname;
  return target.toString();
}

function httpUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.username || url.password ? undefined : url;
}

function isPathWithin(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

/** The redirect URL with the login's result appended, its own query kept as it was. */
export function redirectWithLogin(redirect: string, login: EmulatorLogin): string {
  const url = new URL(redirect);
  const result = new URLSearchParams({ logupToken: login.logupToken, isNewUser: String(login.isNewUser) });
  url.search = url.search ? `${url.search}&${result.toString()}` : `?${result.toString()}`;
  return url.toString();
}

/** The gate and redirect URL a login link names (or implies), or why it cannot be used. */
function resolveLink(
  gates: ReadonlyMap<string, EmulatorGate>,
  params: URLSearchParams,
): { gate: EmulatorGate; redirect: string } | { problem: string } {
  const idGate = params.get('gate') || undefined;
  const gate = idGate === undefined ? (gates.size === 1 ? [...gates.values()][0] : undefined) : gates.get(idGate);
  if (!gate) {
    return {
      problem:
        idGate === undefined ? 'This login link does not say which gate (gate=...).' : `Unknown gate "${idGate}".`,
    };
  }
  const redirect = params.get('redirect') || gate.redirectUrl;
  if (!redirect) {
    return {
      problem:
        `Gate ${gate.idGate} has no redirect URL configured and the login link gives none. ` +
        `Start the emulator with --redirect ${gate.idGate}=<your callback URL> ` +
        `(e.g. http://localhost:3000/logup/callback), or add redirect=<your callback URL> to the login link.`,
    };
  }
  if (!isRedirectAllowed(gate, redirect)) return { problem: 'This gate does not allow redirecting to that address.' };
  return { gate, redirect };
}

/**
 * The hosted login page, `GET` and `POST /login`. `gate` and `redirect` are
 * emulator conventions (LogUp does not document its page's URL): `gate` may be
 * left out when one gate is configured, `redirect` when the gate has a
 * `redirectUrl`. Submitting logs the visitor in and answers 303 to the redirect
 * URL with `logupToken` and `isNewUser` appended.
 */
export async function handleLoginPage(
  state: EmulatorState,
  { req, res, method, target }: EmulatorExchange,
): Promise<void> {
  allow(method, ['GET', 'POST']);
  const params = method === 'POST' ? new URLSearchParams(await readText(req)) : target.query;
  const link = resolveLink(state.config.gates, params);
  if ('problem' in link) return sendHtml(res, 400, loginError(link.problem));
  const { gate } = link;
  const redirect = method === 'GET' ? onStartingHost(link.redirect, req.headers.referer) : link.redirect;
  const view = {
    siteName: gate.name ?? gate.idGate,
    fields: { gate: gate.idGate, ...(params.get('redirect') || redirect !== link.redirect ? { redirect } : {}) },
    returnTo: new URL(redirect).host,
  };
  if (method === 'GET') return sendHtml(res, 200, loginForm(view));
  const email = params.get('email') ?? '';
  const isNewUser = params.get('isNewUser') === 'true';
  const login = state.login({ idGate: gate.idGate, email, isNewUser });
  if ('errorMessage' in login)
    return sendHtml(res, 400, loginForm({ ...view, email, isNewUser, error: login.message }));
  res.writeHead(303, { location: redirectWithLogin(redirect, login), 'cache-control': 'no-store' }).end();
}
