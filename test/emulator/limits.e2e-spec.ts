import { connect } from 'node:net';
import type { LogupEmulator } from 'logup-emulator';
import { emulator, emulatorLogInto } from '../support/logup-fixture.js';

const GATE = { idGate: 'gate_limits', secret: 'secret_limits_value' };
/** The emulator's documented body limit (README: bodies over 256 KiB answer 413). */
const LIMIT = 256 * 1024;
/** "Within a second", with room for a busy machine. */
const PROMPT_MS = 1500;

/** What a raw connection saw: the status line, and how long until the server closed it. */
interface RawOutcome {
  statusLine: string;
  closedAfterMs: number;
}

/**
 * Sends `head` (and then `body`, if any, as fast as the socket takes it) on a fresh
 * connection, and waits for the server to close it: a server that never answers or
 * never closes fails the test at `waitMs`.
 */
function rawExchange(port: number, head: string, body?: Buffer, waitMs = 5000): Promise<RawOutcome> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      if (body) socket.write(body, () => undefined);
    });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection was still open after ${waitMs} ms (got ${JSON.stringify(received)})`));
    }, waitMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined); // a reset after the answer: the close below still counts
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ statusLine: received.split('\r\n')[0], closedAfterMs: Date.now() - started });
    });
  });
}

const post = (path: string, type: string, extra: string[] = []) =>
  [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', `Content-Type: ${type}`, ...extra, '', ''].join('\r\n');

// Every limit the emulator enforces answers and closes promptly.
let emu: LogupEmulator;
let accessToken: string;
const lines: string[] = [];
beforeAll(async () => {
  emu = await emulator({ gates: [GATE], log: emulatorLogInto(lines) });
  const grant = await fetch(`${emu.url}/v1_1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: GATE.idGate, client_secret: GATE.secret, grant_type: 'client_credentials' }),
  });
  accessToken = ((await grant.json()) as { access_token: string }).access_token;
});
afterAll(() => emu.stop());
afterEach(async () => {
  // No internal error on any path, and the emulator still answers.
  expect(lines.filter((line) => line.startsWith('internal error'))).toEqual([]);
  expect((await fetch(`${emu.url}/`)).status).toBe(200);
});

const json = (size: number) => Buffer.from(`{"pad":"${'x'.repeat(size - 10)}"}`);

describe('limits on bodies: 413, promptly', () => {
  it.each([
    ['a 1 MB JSON body to the API', '/v1_1/oauth/token', 'application/json', json(1024 * 1024)],
    ['a 20 MB JSON body to the API', '/v1_1/oauth/token', 'application/json', json(20 * 1024 * 1024)],
    ['a 1 MB JSON body to a DB update', '/v1_1/subscription/sub_x/db', 'application/json', json(1024 * 1024)],
    [
      'a 1 MB login-page form',
      '/login',
      'application/x-www-form-urlencoded',
      Buffer.from(`email=${'a'.repeat(1 << 20)}`),
    ],
    ['a 1 MB body to the control API', '/__emulator/login', 'application/json', json(1024 * 1024)],
  ])('%s: fetch gets 413 within a second', async (_name, path, type, body) => {
    const started = Date.now();
    const res = await fetch(`${emu.url}${path}`, {
      method: path.includes('/db') ? 'PUT' : 'POST',
      headers: { 'content-type': type, authorization: `Bearer ${accessToken}` },
      body,
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ errorMessage: 'BODY_TOO_LARGE' });
    expect(Date.now() - started).toBeLessThan(PROMPT_MS);
  });

  it('accepts a body of exactly the limit, and refuses one byte more', async () => {
    const token = (body: Buffer) =>
      fetch(`${emu.url}/v1_1/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const grant = JSON.stringify({
      client_id: GATE.idGate,
      client_secret: GATE.secret,
      grant_type: 'client_credentials',
    });
    const exactly = Buffer.from(grant + ' '.repeat(LIMIT - grant.length));
    expect((await token(exactly)).status).toBe(201);
    expect((await token(Buffer.concat([exactly, Buffer.from(' ')]))).status).toBe(413);
  });
});

describe('limits on bodies: 413 and the connection closed, before the body ends', () => {
  it('answers 413 at once when Content-Length announces too much, without waiting for the body', async () => {
    const head = post('/v1_1/oauth/token', 'application/json', [`Content-Length: ${20 * 1024 * 1024}`]);
    const outcome = await rawExchange(emu.port, head);
    expect(outcome.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(outcome.closedAfterMs).toBeLessThan(PROMPT_MS);
  });

  it('answers 413 and closes when a chunked body (no Content-Length) passes the limit', async () => {
    const head = post('/login', 'application/x-www-form-urlencoded', ['Transfer-Encoding: chunked']);
    const chunk = Buffer.from(`${(LIMIT + 1).toString(16)}\r\n${'a'.repeat(LIMIT + 1)}\r\n`);
    const outcome = await rawExchange(emu.port, head, chunk);
    expect(outcome.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(outcome.closedAfterMs).toBeLessThan(PROMPT_MS);
  });
});

describe('limits on headers and stalled requests: 431 and 408, and the connection closed', () => {
  it.each([
    ['401 (no access token) on a verification', '/v1_1/verification', 'application/json', 401],
    ['404 (unknown endpoint)', '/v1_1/nowhere', 'application/json', 404],
    ['415 (not JSON) on the control API', '/__emulator/login', 'text/plain', 415],
  ])('an error decided before reading the body, %s, answers at once and closes', async (_name, path, type, status) => {
    const head = post(path, type, [`Content-Length: ${20 * 1024 * 1024}`]);
    // The body never comes: the answer must not wait for it.
    const outcome = await rawExchange(emu.port, head);
    expect(outcome.statusLine).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(outcome.closedAfterMs).toBeLessThan(PROMPT_MS);
  });

  it('answers 431 and closes for headers larger than Node accepts', async () => {
    const head = ['GET / HTTP/1.1', 'Host: 127.0.0.1', `X-Big: ${'a'.repeat(20_000)}`, '', ''].join('\r\n');
    const outcome = await rawExchange(emu.port, head);
    expect(outcome.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(outcome.closedAfterMs).toBeLessThan(PROMPT_MS);
  });

  it('answers 408 and closes, within its 10 s request timeout, a request whose body stalls', async () => {
    const head = post('/v1_1/oauth/token', 'application/json', ['Content-Length: 100']);
    const outcome = await rawExchange(emu.port, head, Buffer.from('{"client_id":'), 20_000);
    expect(outcome.statusLine).toBe('HTTP/1.1 408 Request Timeout');
    // 10 s, checked every second (Node's own default would be 300 s).
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(9_000);
    expect(outcome.closedAfterMs).toBeLessThan(15_000);
  }, 30_000);

  it('answers 408 and closes a request whose headers stall', async () => {
    const outcome = await rawExchange(emu.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n', undefined, 20_000);
    expect(outcome.statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(outcome.closedAfterMs).toBeLessThan(15_000);
  }, 30_000);
});
