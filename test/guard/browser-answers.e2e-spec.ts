// A browser that lands on a refused callback is sent to a page of the site with a reason
// code (not a JSON body as the whole page); API clients keep the JSON answer.
import type { INestApplication } from '@nestjs/common';
import type { LogupEmulator } from 'logup-emulator';
import { Visitor } from '../support/browserless.js';
import { GATE, email, emulator } from '../support/logup-fixture.js';
import { sessionApp } from './session-app.js';

let emu: LogupEmulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(() => emu?.stop());

const callbackOf = (token: string) => `/logup/callback?logupToken=${token}&isNewUser=false`;
const newLogin = () => emu.login({ idGate: GATE.idGate, email: email('browser') });

/** Refused callbacks: how to set one up for a visitor, the API answer and the reason code. */
const REFUSALS: [string, (v: Visitor) => Promise<string>, number, string][] = [
  ['no login started', () => Promise.resolve(callbackOf(newLogin().logupToken)), 400, 'not_started'],
  [
    'a malformed callback',
    async (v) => (await v.get('/logup/login', false), '/logup/callback?logupToken=x'),
    400,
    'invalid_callback',
  ],
  [
    'a token LogUp does not verify',
    async (v) => (await v.get('/logup/login', false), callbackOf('a'.repeat(40))),
    401,
    'not_verified',
  ],
];

describe.each(['express-session', 'fastify-secure-session'] as const)('refused callbacks on %s', (kind) => {
  let app: INestApplication;
  let base: string;
  beforeAll(async () => {
    ({ app, url: base } = await sessionApp(emu, kind, { loginUrl: '/login-page' }));
  });
  afterAll(() => app?.close());

  it.each(REFUSALS)(
    '%s: a browser gets 303 to loginUrl with the reason, an API client JSON',
    async (_what, setUp, status, code) => {
      const browser = new Visitor(base);
      const browserRes = await browser.get(await setUp(browser), true);
      expect(browserRes.status).toBe(303);
      expect(browserRes.location).toBe(`/login-page?logupError=${code}`);
      const client = new Visitor(base);
      const clientRes = await client.get(await setUp(client), false);
      expect(clientRes.status).toBe(status);
      expect(clientRes.headers.get('content-type')).toContain('application/json');
    },
  );

  it('an account switch (409) and LogUp down (503) too', async () => {
    const visitor = new Visitor(base);
    await visitor.get('/logup/login', false);
    expect((await visitor.get(callbackOf(newLogin().logupToken), false)).status).toBe(200);
    await visitor.get('/logup/login', false);
    const other = await visitor.get(callbackOf(newLogin().logupToken), true);
    expect([other.status, other.location]).toEqual([303, '/login-page?logupError=account_switch']);
    const fresh = new Visitor(base);
    await fresh.get('/logup/login', false);
    emu.fault({ kind: 'status', status: 503, endpoint: 'verification' });
    try {
      const down = await fresh.get(callbackOf(newLogin().logupToken), true);
      expect([down.status, down.location]).toEqual([303, '/login-page?logupError=logup_unavailable']);
    } finally {
      emu.clearFaults();
    }
  });
});

describe('callbackErrorUrl', () => {
  it("defaults to '/' without loginUrl, and false keeps JSON for browsers too", async () => {
    const plain = await sessionApp(emu, 'express-session');
    const off = await sessionApp(emu, 'express-session', { callbackErrorUrl: false });
    try {
      const res = await new Visitor(plain.url).get(callbackOf(newLogin().logupToken), true);
      expect([res.status, res.location]).toEqual([303, '/?logupError=not_started']);
      expect((await new Visitor(off.url).get(callbackOf(newLogin().logupToken), true)).status).toBe(400);
    } finally {
      await plain.app.close();
      await off.app.close();
    }
  });
});
