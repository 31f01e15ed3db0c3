// Helpers of scripts/schematic-tests.mjs: a snapshot of an app's files, the emulator and
// the app as child processes, and the login a browser does, over real HTTP.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { URL, URLSearchParams, fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GATE = { idGate: 'gate_nest_add', secret: 'nest-add-gate-secret' };
const SESSION = { SESSION_SECRET: 'a-session-secret-for-the-nest-add-test', SESSION_SALT: 'nestAddSalt16chr' };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every file of the app outside node_modules and dist, path to content. */
export function snapshot(app) {
  const files = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', 'dist', '.git'].includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(app, path), readFileSync(path, 'utf8'));
    }
  };
  walk(app);
  return files;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts a child process and collects its output; `stop()` ends it. */
function child(cmd, args, options) {
  const proc = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (chunk) => (output += chunk));
  proc.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, output: () => output, stop: () => proc.exitCode === null && proc.kill('SIGTERM') };
}

/** The app's `node dist/main.js` with no LogUp environment: it must exit, naming each missing variable. */
export async function refusesToBoot(app) {
  const env = { ...process.env, PORT: String(await freePort()) };
  for (const name of ['LOGUP_ID_GATE', 'LOGUP_SECRET', 'LOGUP_LOGIN_URL', 'LOGUP_BASE_URL', 'SESSION_SECRET']) {
    delete env[name];
  }
  env.SESSION_SECRET = 'too-short'; // a value that is wrong must be named, and never shown
  const run = child(process.execPath, ['dist/main.js'], { cwd: app, env });
  const code = await Promise.race([run.exited, sleep(30_000).then(() => 'timeout')]);
  run.stop();
  const output = run.output();
  const named = ['LOGUP_ID_GATE is required', 'LOGUP_SECRET is required', 'LOGUP_LOGIN_URL is required'];
  named.push('SESSION_SECRET must be at least 32 characters');
  const ok =
    code !== 0 && code !== 'timeout' && named.every((n) => output.includes(n)) && !output.includes('too-short');
  return { ok, detail: `exit ${code}\n${output}` };
}

/** The emulator from the app's installed logup-emulator, its gate redirecting to `callback`. */
export async function startEmulator(app, callback) {
  const cli = join(app, 'node_modules/logup-emulator/dist/esm/cli.js');
  if (!existsSync(cli)) throw new Error('logup-emulator is not installed in the app');
  const args = ['--port', '0', '--gate', `${GATE.idGate}:${GATE.secret}`, '--redirect', `${GATE.idGate}=${callback}`];
  const run = child(process.execPath, [cli, ...args, '--quiet'], { cwd: app });
  const deadline = Date.now() + 20_000;
  while (!/listening on (http\S+)/.test(run.output())) {
    if (run.proc.exitCode !== null || Date.now() > deadline) throw new Error(`emulator: ${run.output()}`);
    await sleep(50);
  }
  return { url: /listening on (http\S+)/.exec(run.output())[1], stop: run.stop };
}

/** Starts the emulator and `node dist/main.js` on a free port, configured as .env.example says. */
export async function startStack(app) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const emulator = await startEmulator(app, `${url}/logup/callback`);
  const env = {
    ...process.env,
    ...SESSION,
    PORT: String(port),
    LOGUP_ID_GATE: GATE.idGate,
    LOGUP_SECRET: GATE.secret,
    LOGUP_BASE_URL: emulator.url,
    LOGUP_LOGIN_URL: `${emulator.url}/login?gate=${GATE.idGate}`,
  };
  const run = child(process.execPath, ['dist/main.js'], { cwd: app, env });
  const stop = () => {
    run.stop();
    emulator.stop();
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (run.proc.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`the app did not start:\n${run.output()}`);
    }
    if (
      await fetch(`${url}/logup/login`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(100);
  }
  return { url, emulator: emulator.url, loginUrl: env.LOGUP_LOGIN_URL, output: run.output, stop };
}

/** A cookie jar for one origin, as a browser keeps it. */
class Browser {
  cookies = new Map();

  async fetch(url, init = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      this.cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return res;
  }
}

const unescapeHtml = (text) => text.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));

/** The form of an HTML page: its action and its hidden fields. */
function formOf(html) {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)];
  return { action, fields: fields.map(([, name, value]) => [unescapeHtml(name), unescapeHtml(value)]) };
}

/** The login a person does in a browser, step by step: each step's name, whether it held, and why not. */
export async function loginOverHttp(stack) {
  const steps = [];
  const step = (name, ok, detail) => steps.push({ name, ok: Boolean(ok), detail });
  const app = new Browser(); // the browser's cookies for the app (LogUp's page sets none)
  step('GET /logup/me without a login: 401', (await app.fetch(`${stack.url}/logup/me`)).status === 401);
  const html = await app.fetch(`${stack.url}/logup/me`, { headers: { accept: 'text/html' } });
  step('a browser without a login is sent to /logup/login (303)', html.headers.get('location') === '/logup/login');
  const page = await (await app.fetch(`${stack.url}/logup/login`)).text();
  step('GET /logup/login: a same-origin POST form', formOf(page).action === '/logup/login', page);

  const foreign = await app.fetch(`${stack.url}/logup/login`, {
    method: 'POST',
    headers: { origin: 'https://attacker.example' },
  });
  step('POST /logup/login from another site (Origin): 403', foreign.status === 403);
  const start = await app.fetch(`${stack.url}/logup/login`, { method: 'POST', headers: { origin: stack.url } });
  const location = start.headers.get('location');
  step('POST /logup/login (Origin: the app): 303 to LogUp', start.status === 303 && location === stack.loginUrl);
  const hosted = await fetch(location);
  const form = formOf(await hosted.text());
  step("LogUp's hosted page answers with its login form", hosted.status === 200 && form.action === '/login');
  const body = new URLSearchParams([...form.fields, ['email', 'ada@example.com'], ['isNewUser', 'true']]);
  const submitted = await fetch(new URL(form.action, stack.emulator), { method: 'POST', body, redirect: 'manual' });
  const callback = submitted.headers.get('location') ?? '';
  step('submitting it sends the browser to /logup/callback', callback.startsWith(`${stack.url}/logup/callback?`));

  const back = await app.fetch(callback);
  step('GET /logup/callback: 303 to /logup/me', back.status === 303 && back.headers.get('location') === '/logup/me');
  const me = await app.fetch(`${stack.url}/logup/me`);
  const visitor = me.status === 200 ? await me.json() : {};
  step('GET /logup/me: 200 with the visitor', /^sub_/.test(visitor.idSubscription) && visitor.isNewUser === true);
  const logout = await app.fetch(`${stack.url}/logup/logout`, { method: 'POST', headers: { origin: stack.url } });
  step('POST /logup/logout: 204', logout.status === 204);
  step('GET /logup/me after logout: 401', (await app.fetch(`${stack.url}/logup/me`)).status === 401);
  return steps;
}
