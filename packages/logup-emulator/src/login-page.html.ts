import type { EmulatorGate } from './emulator.types.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Whether the gate allows the hosted page to send visitors to `redirect`: an
 * allowed prefix must match its scheme, host and port exactly and its path as a
 * prefix; with no list configured, only loopback http(s) URLs are allowed.
 */
export function isRedirectAllowed(gate: EmulatorGate, redirect: string): boolean {
  let target: URL;
  try {
    target = new URL(redirect);
  } catch {
    return false;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return false;
  if (target.username || target.password) return false;
  if (!gate.redirectUrls || gate.redirectUrls.length === 0) return LOOPBACK_HOSTS.has(target.hostname);
  return gate.redirectUrls.some((allowed) => {
    let prefix: URL;
    try {
      prefix = new URL(allowed);
    } catch {
      return false;
    }
    return prefix.origin === target.origin && target.pathname.startsWith(prefix.pathname);
  });
}

const page = (title: string, body: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; }
  main { max-width: 26rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px;
         box-shadow: 0 1px 4px rgba(0,0,0,.12); }
  h1 { font-size: 1.4rem; margin-top: 0; } .muted { color: #667; font-size: .9rem; }
  label { display: block; margin: 1rem 0 .3rem; } input[type=email] { width: 100%; padding: .5rem; box-sizing: border-box; }
  .check { display: flex; gap: .5rem; align-items: center; } button { margin-top: 1.5rem; padding: .6rem 1.2rem; }
  .error { color: #b00020; }
</style>
</head>
<body><main>${body}</main></body>
</html>`;

/** The hosted login form for a gate. */
export function loginForm(idGate: string, redirect: string, error?: string): string {
  return page(
    'Log in with LogUp',
    `<h1>Log in with LogUp</h1>
<p class="muted">LogUp emulator &middot; gate <code>${escapeHtml(idGate)}</code></p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
  <input type="hidden" name="gate" value="${escapeHtml(idGate)}">
  <input type="hidden" name="redirect" value="${escapeHtml(redirect)}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" required autocomplete="email" placeholder="you@example.com">
  <label class="check"><input type="checkbox" name="isNewUser" value="true"> I am new to this site</label>
  <button type="submit">Continue</button>
</form>`,
  );
}

/** A page that explains why the login cannot start. */
export function loginError(message: string): string {
  return page('LogUp: cannot log in', `<h1>Cannot log in</h1><p class="error" role="alert">${escapeHtml(message)}</p>`);
}
