import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { emulatorLog } from '../support/log-capture.js';

const GATE = { idGate: 'gate_a', secret: 'secret_a_value' };
const SHOP = { idGate: 'gate_b', secret: 'secret_b_value', redirectUrls: ['https://shop.example/logup/'] };
const APP = {
  idGate: 'gate_app',
  secret: 'secret_app_value',
  name: 'Acme Books',
  redirectUrl: 'https://app.example/cb?logupNonce=abc',
  redirectUrls: ['https://app.example/other'],
};

/** Submits the hosted form as a browser would, without following the redirect. */
const submit = (emu: LogupEmulator, fields: Record<string, string>) =>
  fetch(`${emu.url}/login`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });

const open = (emu: LogupEmulator, query: Record<string, string>) =>
  fetch(`${emu.url}/login?${new URLSearchParams(query).toString()}`);

// One emulator with three gates for the tests of the page; the one-gate tests below start their own.
let emu: LogupEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, gates: [GATE, SHOP, APP], log: emulatorLog });
});
afterAll(() => emu.stop());

describe('the hosted login page', () => {
  it('looks like a login page: the site named in a heading, a labelled field, a new-here choice, a button', async () => {
    const page = await open(emu, { gate: 'gate_app' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toMatch(/<title>Log in to Acme Books<\/title>/);
    expect(html).toMatch(/<h1>Log in to Acme Books<\/h1>/);
    expect(html).toContain('<label for="email">Email</label>');
    expect(html).toMatch(/<input id="email" name="email" type="email" required/);
    expect(html).toMatch(/<input type="radio" name="isNewUser" value="true">\s*I am new to this site<\/label>/);
    expect(html).toMatch(/<input type="radio" name="isNewUser" value="false" checked>\s*I already have an account/);
    expect(html).toContain('<button type="submit">Continue</button>');
    expect(html).toContain('<style>');
    expect(html).toContain('Afterwards you go back to app.example.');
  });

  it('names the gate when the site has no name', async () => {
    const html = await (await open(emu, { gate: 'gate_a', redirect: 'http://localhost:3000/cb' })).text();
    expect(html).toContain('<h1>Log in to gate_a</h1>');
  });

  it('answers 405 to other methods', async () => {
    const res = await fetch(`${emu.url}/login?gate=gate_app`, { method: 'PUT' });
    expect(res.status).toBe(405);
  });
});

describe('the hosted login page: a link or an email it cannot use', () => {
  it('needs a gate when several are configured, and a redirect when the gate has none', async () => {
    const noGate = await open(emu, { redirect: 'http://localhost/cb' });
    expect(noGate.status).toBe(400);
    expect(await noGate.text()).toContain('does not say which gate');
    const noRedirect = await open(emu, { gate: 'gate_a' });
    expect(noRedirect.status).toBe(400);
    expect(await noRedirect.text()).toContain('no redirect URL configured');
  });

  it('escapes what it echoes and re-asks for a bad email, keeping what was typed', async () => {
    const redirect = 'http://localhost/"><script>alert(1)</script>';
    const page = await (await open(emu, { gate: 'gate_a', redirect })).text();
    expect(page).not.toContain('<script>');
    const res = await submit(emu, { gate: 'gate_a', redirect: 'http://localhost/cb', email: 'not-an-email' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('email must look like');
    expect(html).toContain('value="not-an-email"');
  });
});

describe('the hosted login page: back to the site', () => {
  it('redirects with logupToken and isNewUser, keeping the redirect URL query', async () => {
    const page = await open(emu, { gate: 'gate_a', redirect: 'http://localhost:3000/cb?x=1&next=%2Fme' });
    expect(page.status).toBe(200);
    const res = await submit(emu, {
      gate: 'gate_a',
      redirect: 'http://localhost:3000/cb?x=1&next=%2Fme',
      email: 'page@example.com',
      isNewUser: 'true',
    });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(
      /^http:\/\/localhost:3000\/cb\?x=1&next=%2Fme&logupToken=[A-Za-z0-9]{128}&isNewUser=true$/,
    );
    const existing = await submit(emu, {
      gate: 'gate_a',
      redirect: 'http://127.0.0.1:9/cb',
      email: 'page@example.com',
    });
    expect(new URL(existing.headers.get('location')!).searchParams.get('isNewUser')).toBe('false');
  });

  it("uses the gate's configured redirect URL when the link names none, keeping its query", async () => {
    const page = await open(emu, { gate: 'gate_app' });
    expect(await page.text()).not.toContain('name="redirect"');
    const res = await submit(emu, { gate: 'gate_app', email: 'configured@example.com', isNewUser: 'false' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://app.example/cb');
    expect(location.search).toMatch(/^\?logupNonce=abc&logupToken=[A-Za-z0-9]{128}&isNewUser=false$/);
    const verified = emu.state.verify('gate_app', location.searchParams.get('logupToken')!);
    expect(verified?.idGate).toBe('gate_app');
  });

  it('still lets a link name another allowed redirect', async () => {
    const res = await submit(emu, { gate: 'gate_app', redirect: 'https://app.example/other/page', email: 'a@b.c' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^https:\/\/app\.example\/other\/page\?logupToken=/);
  });
});

describe('the hosted login page: allowed redirects only', () => {
  it.each([
    ['gate_a', 'https://evil.example/cb'],
    ['gate_a', 'javascript:alert(1)'],
    ['gate_a', 'http://user:pw@localhost/cb'],
    ['gate_a', 'not a url'],
    ['gate_b', 'https://shop.example/other/'],
    ['gate_b', 'https://shop.example/logup'],
    ['gate_b', 'https://shop.example.evil.com/logup/'],
    ['gate_b', 'http://shop.example/logup/'],
    ['gate_b', 'http://localhost/cb'],
    ['gate_app', 'https://app.example/cbEVIL'],
    ['gate_app', 'https://app.example/cb-admin/steal'],
    ['gate_app', 'https://app.example/otherwise'],
    ['gate_app', 'https://app.example/cb/../admin'],
    ['gate_app', 'https://app.example:8443/cb'],
    ['gate_x', 'http://localhost/cb'],
  ])('never redirects %s to %s', async (gate, redirect) => {
    const page = await open(emu, { gate, redirect });
    expect(page.status).toBe(400);
    const res = await submit(emu, { gate, redirect, email: 'a@b.c' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it.each([
    ['gate_b', 'https://shop.example/logup/'],
    ['gate_b', 'https://shop.example/logup/callback'],
    ['gate_app', 'https://app.example/cb'],
    ['gate_app', 'https://app.example/cb?state=1'],
    ['gate_app', 'https://app.example/cb/next'],
    ['gate_app', 'https://app.example/other'],
  ])('allows %s to redirect to %s (exact, or a prefix followed by / or ?)', async (gate, redirect) => {
    const res = await submit(emu, { gate, redirect, email: 'a@b.c' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')!.startsWith(redirect)).toBe(true);
  });
});

describe('the hosted login page with one gate', () => {
  let solo: LogupEmulator;
  beforeAll(async () => {
    solo = await startEmulator({
      port: 0,
      gates: [{ ...GATE, redirectUrl: 'http://localhost:3000/logup/callback' }],
      log: emulatorLog,
    });
  });
  afterAll(() => solo.stop());

  it('needs neither gate nor redirect in the link', async () => {
    const page = await fetch(`${solo.url}/login`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Log in to gate_a</h1>');
    const res = await submit(solo, { email: 'solo@example.com', isNewUser: 'true' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(
      /^http:\/\/localhost:3000\/logup\/callback\?logupToken=[A-Za-z0-9]{128}&isNewUser=true$/,
    );
  });
});
