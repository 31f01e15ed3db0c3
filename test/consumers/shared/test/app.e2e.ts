// Runs the app exactly as `node dist/main.js` starts it (the README's main.ts, session
// middleware included) against an in-process LogUp emulator, and walks the README's
// path: health, login start, callback, protected route with its DB, logout.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startEmulator, type LogupEmulator } from 'logup-emulator';

const GATE = { idGate: 'gate_consumer', secret: 'consumer-secret-value' };
let emulator: LogupEmulator;
let app: ChildProcess;
let url: string;
let output = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A tiny cookie jar: what the browser would send next. */
class Browser {
  private cookies = new Map<string, string>();

  async get(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${url}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return res;
  }

  copy(): Browser {
    const other = new Browser();
    other.cookies = new Map(this.cookies);
    return other;
  }
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, gates: { [GATE.idGate]: GATE.secret } });
  const port = await freePort();
  app = spawn(process.execPath, [join(process.cwd(), 'dist', 'main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      LOGUP_ID_GATE: GATE.idGate,
      LOGUP_SECRET: GATE.secret,
      LOGUP_BASE_URL: emulator.url,
      LOGUP_LOGIN_URL: `${emulator.url}/login`,
      SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
      SESSION_SALT: 'mq9hDxBVDbspDR6n',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  app.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  app.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!/listening on (\S+)/.test(output)) {
    if (app.exitCode !== null || Date.now() > deadline) throw new Error(`the app did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  url = /listening on (\S+)/.exec(output)![1].replace('[::1]', '127.0.0.1');
}, 30_000);

afterAll(async () => {
  app?.kill('SIGTERM');
  await emulator?.stop();
});

it('reports LogUp up on /health, reaching LogUp once for many probes', async () => {
  const before = emulator.stats().tokenGrants;
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', info: { logup: { status: 'up' } } });
  }
  expect(emulator.stats().tokenGrants - before).toBe(1);
});

it('logs in through /logup/login and the callback, counts visits, and logs out for good', async () => {
  const browser = new Browser();
  const start = await browser.get('/logup/login', { method: 'POST' });
  expect(start.status).toBe(303);
  expect(start.headers.get('location')).toBe(`${emulator.url}/login`);

  const login = emulator.login({ idGate: GATE.idGate, email: 'ada@example.com', db: { visits: 4 } });
  const callback = await browser.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=false`);
  expect(callback.status).toBe(303);
  expect(callback.headers.get('location')).toBe('/me');

  const me = await browser.get('/me');
  expect(me.status).toBe(200);
  expect(await me.json()).toEqual({ idSubscription: login.idSubscription, db: { visits: 5 } });

  const stolen = browser.copy(); // a copy of the logged-in cookie, taken before logout
  expect((await browser.get('/logout', { method: 'POST' })).status).toBe(204);
  expect((await browser.get('/me')).status).toBe(401);
  expect((await stolen.get('/me')).status).toBe(401);
});

it('refuses a callback this browser did not start, and a token anywhere but the callback', async () => {
  const login = emulator.login({ idGate: GATE.idGate, email: 'mallory@example.com' });
  const browser = new Browser();
  expect((await browser.get(`/logup/callback?logupToken=${login.logupToken}&isNewUser=false`)).status).toBe(400);
  expect((await browser.get(`/me?logupToken=${login.logupToken}&isNewUser=false`)).status).toBe(400);
  expect((await browser.get('/me')).status).toBe(401);
});
