import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page, Response } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { startSample, type RunningSample } from '../support/sample-app.js';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts', 'browser');

/** The widths the pages are checked at: a laptop and a phone (iPhone 12-15). */
const WIDTHS = [1280, 390] as const;

/** An answer or console line the test did not ask for: a broken page, a missing file, a CSP refusal. */
interface Trouble {
  kind: string;
  url: string;
  text: string;
}

describe.each(['express', 'fastify'] as const)('a person clicking through the sample app (%s)', (adapter) => {
  let sample: RunningSample;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let dataDir: string;
  let step = 0;
  /** Error answers the test provokes on purpose: `METHOD path -> status`. */
  const expected = new Set<string>();
  const trouble: Trouble[] = [];
  const shot = async (name: string) => {
    const width = page.viewportSize()?.width ?? 0;
    await page.screenshot({
      path: join(ARTIFACTS, adapter, `${String(++step).padStart(2, '0')}-${name}-${width}.png`),
      fullPage: true,
    });
  };
  const errorKey = (method: string, url: string, status: number) => `${method} ${new URL(url).pathname} -> ${status}`;
  /** No horizontal scrolling: the page is no wider than the window. */
  const fitsWidth = () =>
    page.evaluate<{ scrollWidth: number; innerWidth: number }>(
      '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
    );
  const expectFits = async (what: string) => {
    const { scrollWidth, innerWidth } = await fitsWidth();
    expect({ what, scrollWidth: scrollWidth <= innerWidth ? 'fits' : scrollWidth, innerWidth }).toEqual({
      what,
      scrollWidth: 'fits',
      innerWidth,
    });
  };

  beforeAll(async () => {
    // Only this run's screenshots (the names carry the width).
    rmSync(join(ARTIFACTS, adapter), { recursive: true, force: true });
    mkdirSync(join(ARTIFACTS, adapter), { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'logup-sample-data-'));
    sample = await startSample(adapter, { DATA_DIR: dataDir });
    browser = await launchChromium({ width: 1280, height: 800 });
    ({ page } = browser);
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const url = message.location().url;
      // Chromium reports an error answer to a navigation as a console error too: allowed only for the provoked ones.
      const provoked = /status of (\d{3})/.exec(message.text());
      if (provoked && [...expected].some((key) => key.endsWith(`${new URL(url).pathname} -> ${provoked[1]}`))) return;
      trouble.push({ kind: 'console error', url, text: message.text() });
    });
    page.on('pageerror', (error) => trouble.push({ kind: 'page error', url: page.url(), text: error.message }));
    page.on('requestfailed', (request) => {
      trouble.push({ kind: 'request failed', url: request.url(), text: request.failure()?.errorText ?? '' });
    });
    page.on('response', (response: Response) => {
      if (response.status() < 400) return;
      const key = errorKey(response.request().method(), response.url(), response.status());
      if (!expected.has(key)) trouble.push({ kind: 'error answer', url: response.url(), text: key });
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sample?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(() => {
    // No 404 (the favicon), no CSP refusal, no script error, no failed request on any page.
    expect(trouble).toEqual([]);
  });

  it('logs in on the LogUp page, edits the DB, sees a limit error, and logs out', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${sample.url}/`);
    // The site's icon is served (layout.hbs links it; the CSP allows it).
    await expect(page.locator('link[rel="icon"]').getAttribute('href')).resolves.toBe('/favicon.svg');
    const icon = await page.request.get(`${sample.url}/favicon.svg`);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toMatch(/^image\/svg\+xml/);
    await expectFits('home, logged out');
    await shot('home');
    await page.getByRole('button', { name: 'Log in with LogUp' }).click();

    await page.waitForURL(`${sample.emulator.url}/login**`);
    // LogUp's page looks like a login page and names the site the visitor is logging in to.
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Log in to LogUp sample');
    await expect(page.getByLabel('Email').getAttribute('type')).resolves.toBe('email');
    const continueButton = page.getByRole('button', { name: 'Continue' });
    await expect(continueButton.isVisible()).resolves.toBe(true);
    // A primary button: filled with a colour, white text.
    type Styles = { getComputedStyle(element: unknown): { backgroundColor: string; color: string } };
    const colours = await continueButton.evaluate((button) => {
      const style = (globalThis as unknown as Styles).getComputedStyle(button);
      return { background: style.backgroundColor, text: style.color };
    });
    expect(colours.background).not.toMatch(/^rgba\(0, 0, 0, 0\)$|^rgb\(2[34]\d, 2[34]\d, 2[34]\d\)$/);
    expect(colours.text).toBe('rgb(255, 255, 255)');
    await page.getByLabel('Email').fill(`browser-${adapter}@example.com`);
    await page.getByLabel('I am new to this site').check();
    await shot('logup-login-page');
    await page.setViewportSize({ width: 390, height: 844 });
    await expectFits('LogUp login page');
    await shot('logup-login-page');
    await page.setViewportSize({ width: 1280, height: 800 });
    await continueButton.click();

    await page.waitForURL(`${sample.url}/me`);
    await expect(page.locator('#isNewUser').textContent()).resolves.toBe('true');
    const idSubscription = await page.locator('#idSubscription').textContent();
    expect(idSubscription).toMatch(/^sub_/);
    // The profile the login hook made on this site.
    await expect(page.locator('#displayName').textContent()).resolves.toMatch(/^Visitor \d{4}$/);
    await expect(page.locator('#loginCount').textContent()).resolves.toBe('1');
    await shot('me-after-login');

    await page.getByLabel('New display name').fill('Ada Lovelace');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.waitForURL(/\/me\?notice=renamed$/);
    await expect(page.getByRole('status').textContent()).resolves.toBe('Saved your display name.');
    await expect(page.locator('#displayName').textContent()).resolves.toBe('Ada Lovelace');

    await page.getByLabel('Key (1–32 characters)').fill('country');
    await page.getByLabel('Value (up to 1024 characters)').fill('italy');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/me\?notice=saved$/);
    await expect(page.getByRole('status').textContent()).resolves.toBe('Saved.');
    await expect(page.locator('#db td.value').first().textContent()).resolves.toBe('italy');
    await expect(sample.emulator.db(idSubscription!)).resolves.toEqual({ country: 'italy' });
    await shot('me-key-added');

    await page.getByLabel('select country').check();
    await page.getByRole('button', { name: 'Delete selected keys' }).click();
    await page.waitForURL(/\/me\?notice=deleted$/);
    await expect(page.getByText('Your DB is empty.').isVisible()).resolves.toBe(true);
    await expect(sample.emulator.db(idSubscription!)).resolves.toEqual({});
    await shot('me-key-deleted');

    // Mistakes are explained in sentences, next to the form, and nothing typed is lost.
    expected.add(`POST /me/db -> 400`);
    const longKey = 'k'.repeat(33);
    await page.getByLabel('Key (1–32 characters)').fill(longKey);
    await page.getByLabel('Value (up to 1024 characters)').fill('kept');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('#update-errors').textContent()).resolves.toBe(
      'The key can be at most 32 characters; this one has 33.',
    );
    await expect(page.getByLabel('Key (1–32 characters)').inputValue()).resolves.toBe(longKey);
    await expect(page.getByLabel('Value (up to 1024 characters)').inputValue()).resolves.toBe('kept');
    await shot('me-limit-error');

    await page.getByLabel('Key (1–32 characters)').fill('age');
    await page.getByLabel('Value (up to 1024 characters)').fill('twenty');
    await page.getByLabel('Type').selectOption('number');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('#update-errors').textContent()).resolves.toBe('Enter a number, such as 42 or 3.5.');
    await expect(page.getByLabel('Type').inputValue()).resolves.toBe('number');
    await page.getByLabel('Value (up to 1024 characters)').fill('21');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/me\?notice=saved$/);

    // Long ids, keys and values wrap instead of widening the page.
    const longValue = `https://example.com/${'a'.repeat(180)}?${'b'.repeat(60)}`;
    await page.getByLabel('Key (1–32 characters)').fill('K'.repeat(32));
    await page.getByLabel('Value (up to 1024 characters)').fill(longValue);
    await page.getByLabel('Type').selectOption('string');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/me\?notice=saved$/);
    await expect(sample.emulator.db(idSubscription!)).resolves.toEqual({ age: 21, ['K'.repeat(32)]: longValue });

    expected.add(`GET /no-such-page -> 404`);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
      await page.goto(`${sample.url}/`);
      // Logged in, the home page offers the account and a Log out button.
      await expect(page.getByRole('link', { name: 'Go to your account' }).isVisible()).resolves.toBe(true);
      await expect(page.locator('main').getByRole('button', { name: 'Log out' }).isVisible()).resolves.toBe(true);
      await expectFits(`home, logged in, ${width}`);
      await shot('home-logged-in');

      await page.goto(`${sample.url}/me`);
      await expectFits(`/me with a long key and value, ${width}`);
      // The type select keeps room for its longest option.
      const select = await page.getByLabel('Type').boundingBox();
      expect(select!.width).toBeGreaterThanOrEqual(100);
      await shot('me-long-values');

      await page.goto(`${sample.url}/no-such-page`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Error 404');
      await expect(page.getByRole('alert').textContent()).resolves.toBe('There is no page at this address.');
      await expectFits(`error page, ${width}`);
      await shot('error-page');
    }

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${sample.url}/`);
    await page.locator('main').getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${sample.url}/?notice=logged-out`);
    await expect(page.getByRole('status').textContent()).resolves.toBe('You are logged out.');
    await expect(page.getByRole('button', { name: 'Log in with LogUp' }).isVisible()).resolves.toBe(true);
    await expectFits('home after logout, 390');
    await shot('logged-out');
    await page.setViewportSize({ width: 1280, height: 800 });
    await shot('logged-out');
    await page.goto(`${sample.url}/me`);
    expect(page.url()).toBe(`${sample.url}/`);
  }, 120_000);
});
