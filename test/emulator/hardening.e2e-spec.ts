import { connect } from 'node:net';
import type { LogupEmulator } from 'logup-emulator';
import { emulator, emulatorLogInto } from '../support/logup-fixture.js';
import { rawRequest } from './raw-http.js';

const GATE = { idGate: 'gate_h', secret: 'secret_h_value' };

/** The emulator still answers a normal request (it did not crash or wedge). */
async function expectAlive(emu: LogupEmulator): Promise<void> {
  const res = await fetch(`${emu.url}/`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ name: 'logup-emulator' });
}

// One emulator for the file, its log kept.
let emu: LogupEmulator;
const lines: string[] = [];
beforeAll(async () => {
  emu = await emulator({ gates: [GATE], log: emulatorLogInto(lines) });
});
afterAll(() => emu.stop());

describe('request lines that used to crash the emulator', () => {
  it.each([
    ['GET //[ HTTP/1.1', 400],
    ['GET //a:99999/ HTTP/1.1', 404],
    ['GET //x@/ HTTP/1.1', 404],
    ['GET /v1_1/subscription/%E0%A4%A/db HTTP/1.1', 400],
    ['GET /v1_1/subscription/%E0%A4/db HTTP/1.1', 400],
    ['PUT /v1_1//subscription/%ZZ/db HTTP/1.1', 400],
    ['GET /__emulator/db/%C0%AF HTTP/1.1', 400],
    ['GET /login?gate=%ZZ&redirect=http://[ HTTP/1.1', 400],
    ['GET http://[/ HTTP/1.1', 400],
    ['GET * HTTP/1.1', 400],
    ['OPTIONS * HTTP/1.1', 400],
    ['GET /a{b}|c HTTP/1.1', 400],
  ])('answers %s with %i and keeps running', async (requestLine, status) => {
    const res = await rawRequest(emu.port, requestLine);
    expect(res.status).toBe(status);
    expect(res.status).toBeLessThan(500);
    await expectAlive(emu);
  });

  it('answers 400 with a JSON reason for a path that is not a valid path', async () => {
    const res = await rawRequest(emu.port, 'GET //[ HTTP/1.1');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toMatchObject({ errorMessage: 'INVALID_REQUEST_TARGET' });
  });
});

describe('clients that used to crash the emulator', () => {
  it('survives a client that disconnects in the middle of a body', async () => {
    await new Promise<void>((resolve, reject) => {
      const socket = connect(emu.port, '127.0.0.1', () => {
        socket.write(
          'POST /v1_1/oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"client_id":',
        );
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    await expectAlive(emu);
  });

  it('survives HTTP that Node itself cannot parse', async () => {
    const res = await rawRequest(emu.port, 'GET /\u0001 HTTP/1.1');
    expect(res.status).toBe(400);
    await expectAlive(emu);
  });
});

describe('bugs that used to crash the emulator', () => {
  it('answers 500 to an emulator bug, logs it, and keeps running', async () => {
    const peekDb = emu.state.peekDb.bind(emu.state);
    emu.state.peekDb = () => {
      throw new Error('a deliberate bug');
    };
    try {
      const res = await fetch(`${emu.url}/__emulator/db/sub_any`);
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ errorMessage: 'INTERNAL_ERROR' });
      expect(lines.some((line) => line.startsWith('internal error: Error: a deliberate bug'))).toBe(true);
    } finally {
      emu.state.peekDb = peekDb;
    }
    await expectAlive(emu);
  });

  it('keeps running when its log sink throws', async () => {
    const throwing = await emulator({
      gates: [GATE],
      log: () => {
        throw new Error('log sink down');
      },
    });
    try {
      expect((await rawRequest(throwing.port, 'GET //[ HTTP/1.1')).status).toBe(400);
      await expectAlive(throwing);
    } finally {
      await throwing.stop();
    }
  });
});

describe('the control API against cross-site requests: content types', () => {
  it.each([
    ['text/plain', 1],
    ['application/x-www-form-urlencoded', 2],
    ['multipart/form-data; boundary=x', 3],
  ])('refuses a control POST sent as %s with 415, changing nothing', async (contentType, n) => {
    const post = (path: string, body: unknown) =>
      fetch(`${emu.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': contentType, origin: 'https://evil.example' },
        body: JSON.stringify(body),
      });
    const email = `csrf-${n}@example.com`;
    const login = await post('/__emulator/login', { idGate: GATE.idGate, email });
    expect(login.status).toBe(415);
    expect(await login.json()).toMatchObject({ errorMessage: 'UNSUPPORTED_MEDIA_TYPE' });
    expect((await post('/__emulator/faults', { kind: 'drop' })).status).toBe(415);
    expect((await post('/__emulator/logins', { idGate: GATE.idGate, email, count: 2 })).status).toBe(415);

    // No subscription was created and no fault is waiting.
    expect(emu.login({ idGate: GATE.idGate, email }).isNewUser).toBe(true);
    const token = await fetch(`${emu.url}/v1_1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: GATE.idGate, client_secret: GATE.secret, grant_type: 'client_credentials' }),
    });
    expect(token.status).toBe(201);
  });

  it('refuses a control POST without a content type', async () => {
    const res = await rawRequest(emu.port, 'POST /__emulator/faults HTTP/1.1', [], '{"kind":"drop"}');
    expect(res.status).toBe(415);
    const after = await fetch(`${emu.url}/v1_1/oauth/token`, { method: 'POST' });
    expect(after.status).toBe(400);
    expect(emu.stats().faultsApplied).toBe(0);
  });

  it('accepts application/json with parameters', async () => {
    const res = await fetch(`${emu.url}/__emulator/login`, {
      method: 'POST',
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
      body: JSON.stringify({ idGate: GATE.idGate, email: 'json@example.com' }),
    });
    expect(res.status).toBe(201);
  });
});

describe('the control API against cross-site requests: CORS', () => {
  it('refuses CORS preflights and never sends Access-Control-Allow-* headers', async () => {
    const preflight = await fetch(`${emu.url}/__emulator/login`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(405);
    const answers = [
      preflight,
      await fetch(`${emu.url}/__emulator/stats`, { headers: { origin: 'https://evil.example' } }),
      await fetch(`${emu.url}/v1_1/oauth/token`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } }),
      await fetch(`${emu.url}/`, { headers: { origin: 'https://evil.example' } }),
    ];
    for (const res of answers) {
      expect([...res.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });
});
