import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { startSample, type RunningSample } from '../support/sample-app.js';
import { logIn, saveKey } from './sample-app-visit.js';

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

/** The app, the attacker's site, and the victim's browser, for one adapter. */
interface Scene {
  adapter: 'express' | 'fastify';
  sample: RunningSample;
  attacker: Awaited<ReturnType<typeof attackerSite>>;
  browser: Awaited<ReturnType<typeof launchChromium>>;
  page: Page;
}

/** The attacker logs in to their own account and puts its callback URL on their page. */
async function baitWithAttackersLogin({ sample, attacker, adapter }: Scene): Promise<{ idSubscription: string }> {
  const login = await sample.emulator.login({
    idGate: 'gate_demo',
    email: `attacker-${adapter}-${Math.random()}@example.com`,
    db: { owner: 'attacker' },
  });
  attacker.show(`${sample.url}/logup/callback?logupToken=${login.logupToken}&isNewUser=false`);
  return login;
}

async function victimFollowsTheLink({ page, attacker, sample }: Scene) {
  await page.goto(attacker.url);
  await page.locator('#prize').click();
  await page.waitForURL(`${sample.url}/logup/callback**`);
}

/** Starts the app, the attacker's site and the browser, filling in `scene`. */
async function setUp(scene: Scene) {
  scene.sample = await startSample(scene.adapter);
  scene.attacker = await attackerSite();
  scene.browser = await launchChromium();
  scene.page = scene.browser.page;
}

/** Closes what `setUp` started. */
async function tearDown(scene: Scene) {
  await scene.browser?.close();
  await scene.attacker?.close();
  await scene.sample?.close();
}

/** Issue 9, item 1: the login CSRF attack, driven in Chromium, fails on both adapters. */
describe.each(['express', 'fastify'] as const)("login CSRF in a victim's browser (%s)", (adapter) => {
  const scene = { adapter } as Scene;
  beforeAll(() => setUp(scene), 60_000);
  afterAll(() => tearDown(scene));

  it('logs a visitor who is not logged in into nobody', async () => {
    const { sample, page } = scene;
    const before = (await sample.emulator.stats()).verifications;
    await baitWithAttackersLogin(scene);
    await victimFollowsTheLink(scene);
    await expect(page.locator('h1').textContent()).resolves.toBe('Login refused');
    await expect(page.locator('#hint').textContent()).resolves.toContain('Nobody was logged in by this link.');
    expect((await sample.emulator.stats()).verifications).toBe(before);
    await page.goto(`${sample.url}/me`);
    expect(page.url()).toBe(`${sample.url}/`);
    await expect(page.getByRole('button', { name: 'Log in with LogUp' }).isVisible()).resolves.toBe(true);
  }, 60_000);

  it("keeps a logged-in victim in their own account: what they save next lands in their own DB, not the attacker's", async () => {
    const { sample, page } = scene;
    await logIn(page, sample, `victim-${adapter}@example.com`, true);
    const victim = (await page.locator('#idSubscription').textContent())!;

    const bait = await baitWithAttackersLogin(scene);
    await victimFollowsTheLink(scene);
    await expect(page.locator('h1').textContent()).resolves.toBe('Login refused');

    await page.goto(`${sample.url}/me`);
    await expect(page.locator('#idSubscription').textContent()).resolves.toBe(victim);
    await saveKey(page, 'card', '4111 1111 1111 1111');
    await expect(sample.emulator.db(victim)).resolves.toEqual({ card: '4111 1111 1111 1111' });
    await expect(sample.emulator.db(bait.idSubscription)).resolves.toEqual({ owner: 'attacker' });
  }, 60_000);

  it('cannot be framed by the attacker (frame-ancestors, X-Frame-Options)', async () => {
    const { sample, page, attacker } = scene;
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
