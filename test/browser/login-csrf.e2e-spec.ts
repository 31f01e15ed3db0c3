import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { startSample, type RunningSample } from '../support/sample-app.js';

/**
 * Another site (on `localhost`, a different site from the app's `127.0.0.1`) whose
 * page links to whatever the test puts there: the attacker's callback URL.
 */
async function attackerSite(): Promise<{ url: string; show(href: string): void; close(): Promise<void> }> {
  let href = '/';
  const server: Server = createServer((_request, response) => {
    const safe = href.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>Free prize</title><a id="prize" href="${safe}">Claim your prize</a>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}/`,
    show: (next) => (href = next),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Issue 9, item 1: the login CSRF attack, driven in Chromium, fails on both adapters. */
describe.each(['express', 'fastify'] as const)("login CSRF in a victim's browser (%s)", (adapter) => {
  let sample: RunningSample;
  let attacker: Awaited<ReturnType<typeof attackerSite>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;

  beforeAll(async () => {
    sample = await startSample(adapter);
    attacker = await attackerSite();
    browser = await launchChromium();
    page = browser.page;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await attacker?.close();
    await sample?.close();
  });

  /** The attacker logs in to their own account and puts its callback URL on their page. */
  async function baitWithAttackersLogin(): Promise<{ idSubscription: string }> {
    const login = await sample.emulator.login({
      idGate: 'gate_demo',
      email: `attacker-${adapter}-${Math.random()}@example.com`,
      db: { owner: 'attacker' },
    });
    attacker.show(`${sample.url}/logup/callback?logupToken=${login.logupToken}&isNewUser=false`);
    return login;
  }

  async function victimFollowsTheLink() {
    await page.goto(attacker.url);
    await page.locator('#prize').click();
    await page.waitForURL(`${sample.url}/logup/callback**`);
  }

  it('logs a visitor who is not logged in into nobody', async () => {
    const before = (await sample.emulator.stats()).verifications;
    await baitWithAttackersLogin();
    await victimFollowsTheLink();
    await expect(page.locator('h1').textContent()).resolves.toBe('Login refused');
    await expect(page.locator('#hint').textContent()).resolves.toContain('Nobody was logged in by this link.');
    expect((await sample.emulator.stats()).verifications).toBe(before);
    await page.goto(`${sample.url}/me`);
    expect(page.url()).toBe(`${sample.url}/`);
    await expect(page.getByRole('button', { name: 'Log in with LogUp' }).isVisible()).resolves.toBe(true);
  }, 60_000);

  it("keeps a logged-in victim in their own account: what they save next lands in their own DB, not the attacker's", async () => {
    await page.goto(`${sample.url}/`);
    await page.getByRole('button', { name: 'Log in with LogUp' }).click();
    await page.waitForURL(`${sample.emulator.url}/login**`);
    await page.getByLabel('Email').fill(`victim-${adapter}@example.com`);
    await page.getByLabel('I am new to this site').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${sample.url}/me`);
    const victim = (await page.locator('#idSubscription').textContent())!;

    const bait = await baitWithAttackersLogin();
    await victimFollowsTheLink();
    await expect(page.locator('h1').textContent()).resolves.toBe('Login refused');

    await page.goto(`${sample.url}/me`);
    await expect(page.locator('#idSubscription').textContent()).resolves.toBe(victim);
    await page.getByLabel('Key (1–32 characters)').fill('card');
    await page.getByLabel('Value (up to 1024 characters)').fill('4111 1111 1111 1111');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/me\?notice=saved$/);
    await expect(sample.emulator.db(victim)).resolves.toEqual({ card: '4111 1111 1111 1111' });
    await expect(sample.emulator.db(bait.idSubscription)).resolves.toEqual({ owner: 'attacker' });
  }, 60_000);

  it('cannot be framed by the attacker (frame-ancestors, X-Frame-Options)', async () => {
    await page.goto(attacker.url);
    // Any page of the app (cross-site, the frame gets no cookie: /me would show the home page).
    await page.setContent(`<iframe id="f" src="${sample.url}/"></iframe>`);
    const frame = (await (await page.waitForSelector('#f')).contentFrame())!;
    await frame.waitForLoadState('load');
    // Chromium puts its error page in a blocked frame: none of the app's page is there.
    expect(await frame.content()).not.toContain('LogUp sample');
    expect(frame.url()).not.toBe(`${sample.url}/`);
  }, 60_000);
});
