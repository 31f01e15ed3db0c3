import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { Visitor } from '../support/browserless.js';
import { emulatorLog } from '../support/log-capture.js';
import { GATE, email } from '../support/logup-fixture.js';
import { logIn, startLogin, startSample, type RunningSample } from '../support/sample-app.js';

/** Login CSRF (issue 9, item 1) as against real LogUp, whose redirect URL is fixed: the pending login alone binds the callback. */
describe.each(['express', 'fastify'] as const)(
  'login binding against an external LogUp, pending mode (%s)',
  (adapter) => {
    const suite = { adapter } as PendingSuite;
    beforeAll(async () => {
      suite.emu = await startEmulator({ port: 0, gates: [GATE], log: emulatorLog });
      suite.loginUrl = `${suite.emu.url}/login?gate=${GATE.idGate}&lang=en#start`;
      suite.sample = await startSample(adapter, {
        LOGUP_ID_GATE: GATE.idGate,
        LOGUP_SECRET: GATE.secret,
        LOGUP_BASE_URL: suite.emu.url,
        LOGUP_LOGIN_URL: suite.loginUrl,
        SESSION_SECRET: 'login-binding-session-secret-0123456789',
      });
    });
    afterAll(async () => {
      await suite.sample?.close();
      await suite.emu?.stop();
    });
    pendingModeTests(suite);
  },
);

/** The app on an external LogUp (an emulator this file starts), set up before the tests. */
interface PendingSuite {
  adapter: 'express' | 'fastify';
  emu: LogupEmulator;
  sample: RunningSample;
  /** A login URL as a LogUp console might give it: its own query and fragment must survive. */
  loginUrl: string;
}

function pendingModeTests(suite: PendingSuite) {
  const mint = (label: string) => suite.emu.login({ idGate: GATE.idGate, email: email(`${label}-${suite.adapter}`) });

  it('sends the browser to LOGUP_LOGIN_URL exactly as configured (no gate or redirect added)', async () => {
    const { sample, emu, loginUrl } = suite;
    const visitor = new Visitor(sample.url);
    expect(await startLogin(visitor)).toBe(loginUrl);
    const home = await visitor.get('/');
    expect(home.body).not.toContain('redirect=');
    expect(home.headers.get('content-security-policy')).toContain(`form-action 'self' ${emu.url}`);
  });

  it('logs in a browser that started the login, and refuses one that did not', async () => {
    const { sample, emu } = suite;
    const visitor = new Visitor(sample.url);
    await startLogin(visitor);
    expect((await visitor.get(`/logup/callback?logupToken=${mint('own').logupToken}&isNewUser=true`)).status).toBe(303);
    expect((await visitor.get('/me')).status).toBe(200);
    const before = emu.stats().verifications;
    const stranger = new Visitor(sample.url);
    const refused = await stranger.get(`/logup/callback?logupToken=${mint('attacker').logupToken}&isNewUser=false`);
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('Login refused');
    expect(emu.stats().verifications).toBe(before);
  });

  it("never switches a logged-in victim who has a login pending to the attacker's account (409)", async () => {
    const { sample, emu } = suite;
    const victim = new Visitor(sample.url);
    const own = await logIn(sample, victim, { idGate: GATE.idGate, email: email('victim') });
    // The victim started another login (another tab), and the attacker's link arrives first.
    await startLogin(victim);
    const attacker = emu.login({ idGate: GATE.idGate, email: email('attacker'), db: { owner: 'attacker' } });
    const res = await victim.get(`/logup/callback?logupToken=${attacker.logupToken}&isNewUser=false`);
    expect(res.status).toBe(409);
    expect(res.body).toContain('Already logged in');
    const me = await victim.get('/me');
    expect(me.body).toContain(own.idSubscription);
    await victim.post('/me/db', { _csrf: Visitor.csrfOf(me.body), key: 'mine', value: 'yes' });
    expect(emu.db(own.idSubscription)).toEqual({ mine: 'yes' });
    expect(emu.db(attacker.idSubscription)).toEqual({ owner: 'attacker' });
  });
}
