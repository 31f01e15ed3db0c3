/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  :root { color-scheme: light; --ink: #1d2433; --muted: #5b6477; --line: #d5d9e2; --brand: #3454d1; }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 1.5rem;
         font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
         background: linear-gradient(160deg, #eef1f8, #dfe5f3); }
  main { width: 100%; max-width: 25rem; background: #fff; border-radius: 12px; padding: 2rem;
         box-shadow: 0 10px 30px rgba(29, 36, 51, .12); }
  .brand { margin: 0 0 1.25rem; font-weight: 700; letter-spacing: .02em; color: var(--brand); }
  h1 { margin: 0 0 .25rem; font-size: 1.5rem; line-height: 1.25; }
  .lead { margin: 0 0 1.5rem; color: var(--muted); }
  label { display: block; font-weight: 600; margin-bottom: .35rem; }
  input[type=email] { width: 100%; padding: .65rem .75rem; font: inherit; border: 1px solid var(--line);
                      border-radius: 8px; }
  input[type=email]:focus, button:focus-visible { outline: 3px solid rgba(52, 84, 209, .35); outline-offset: 1px; }
  .hint { margin: .35rem 0 0; font-size: .875rem; color: var(--muted); }
  fieldset { border: 0; padding: 0; margin: 1.25rem 0 0; }
  legend { font-weight: 600; margin-bottom: .35rem; padding: 0; }
  .choice { display: flex; gap: .5rem; align-items: center; font-weight: 400; margin: .25rem 0; }
  button { width: 100%; margin-top: 1.5rem; padding: .75rem; font: inherit; font-weight: 600; color: #fff;
           background: var(--brand); border: 0; border-radius: 8px; cursor: pointer; }
  button:hover { background: #2a45b0; }
  .error { margin: 0 0 1rem; padding: .6rem .75rem; border-radius: 8px; color: #8a1020; background: #fde8eb; }
  footer { margin-top: 1.5rem; font-size: .8rem; color: var(--muted); text-align: center; }
`;

const page = (title: string, body: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>
<p class="brand">LogUp</p>
${body}
<footer>LogUp emulator, for local testing: no password, you are who you say you are.</footer>
</main></body>
</html>`;

/** What the login form shows. */
export interface LoginFormView {
  /** The site the visitor logs in to. */
  siteName: string;
  /** Hidden fields that carry the login link's parameters to the form's POST. */
  fields: Record<string, string>;
  /** Where the visitor goes afterwards (shown as a host name). */
  returnTo: string;
  email?: string;
  isNewUser?: boolean;
  error?: string;
}

/** The hosted login form of a gate. */
export function loginForm(view: LoginFormView): string {
  const hidden = Object.entries(view.fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n  ');
  return page(
    `Log in to ${view.siteName}`,
    `<h1>Log in to ${escapeHtml(view.siteName)}</h1>
<p class="lead">Afterwards you go back to ${escapeHtml(view.returnTo)}.</p>
${view.error ? `<p class="error" role="alert">${escapeHtml(view.error)}</p>` : ''}
<form method="post" action="/login">
  ${hidden}
  <label for="email">Email</label>
  <input id="email" name="email" type="email" required autofocus autocomplete="email"
         placeholder="you@example.com" value="${escapeHtml(view.email ?? '')}" aria-describedby="email-hint">
  <p class="hint" id="email-hint">The address you use on ${escapeHtml(view.siteName)}.</p>
  <fieldset>
    <legend>Have you been here before?</legend>
    <label class="choice"><input type="radio" name="isNewUser" value="false"${view.isNewUser ? '' : ' checked'}>
      I already have an account</label>
    <label class="choice"><input type="radio" name="isNewUser" value="true"${view.isNewUser ? ' checked' : ''}>
      I am new to this site</label>
  </fieldset>
  <button type="submit">Continue</button>
</form>`,
  );
}

/** A page that explains why the login cannot start. */
export function loginError(message: string): string {
  return page(
    'LogUp: cannot log in',
    `<h1>Cannot log in</h1>\n<p class="error" role="alert">${escapeHtml(message)}</p>`,
  );
}
