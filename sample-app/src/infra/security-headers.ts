import type { HelmetOptions } from 'helmet';

/**
 * The security headers of every answer, the same on both adapters (helmet on
 * Express, @fastify/helmet on Fastify):
 * - a CSP allowing only this origin (`default-src 'self'`; no inline script or
 *   style, the stylesheet is /app.css), no framing (`frame-ancestors 'none'`,
 *   `X-Frame-Options: DENY`), forms posting only here and to LogUp's login page
 *   (`form-action` also governs the redirect after the login form);
 * - `Referrer-Policy: no-referrer`, `X-Content-Type-Options: nosniff`;
 * - HSTS only when cookies are secure (the site is served over HTTPS).
 */
export function helmetOptions(options: { loginPageOrigin: string; secureCookies: boolean }): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        formAction: ["'self'", options.loginPageOrigin],
        frameAncestors: ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    xContentTypeOptions: true,
    strictTransportSecurity: options.secureCookies ? { maxAge: 15_552_000 } : false,
  };
}

/**
 * `Cache-Control` for every answer unless a route sets its own (only /app.css
 * does): pages carry ids, DB contents and CSRF tokens, and the callback's URL a
 * logupToken, so neither a browser nor a proxy may keep them.
 */
export const NO_STORE = 'no-store';
