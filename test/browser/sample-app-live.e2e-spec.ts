import type { Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { startSample, type RunningSample } from '../support/sample-app.js';

describe.each(['express', 'fastify'] as const)('the sample app live account page in Chromium (%s)', (adapter) => {
  let sample: RunningSample;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const problems: string[] = [];

  beforeAll(async () => {
    sample = await startSample(adapter);
    browser = await launchChromium({ width: 1280, height: 800 });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sample?.close();
  });

  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  };

  it('updates the DB page when another tab changes a key, and stops when signed out of all devices', async () => {
    const first = browser.page;
    watch(first);
    await first.goto(`${sample.url}/`);
    // The home page's login form, posted with this browser's cookies and the page's Origin.
    const csrf = await first.locator('input[name="_csrf"]').first().inputValue();
    const start = await browser.context.request.post(`${sample.url}/login`, {
      form: { _csrf: csrf },
      headers: { origin: sample.url },
      maxRedirects: 0,
    });
    expect(start.status()).toBe(303);
    await first.goto(start.headers().location);
    await first.getByLabel('Email').fill(`live-${adapter}@example.com`);
    await first.getByRole('button', { name: 'Continue' }).click();
    await first.waitForURL(`${sample.url}/me`);
    await first.locator('#live-status', { hasText: 'Live:' }).waitFor();

    // Another tab of the same browser changes a key (its form, posted with the browser's
    // cookies: this Chromium sends `Origin: null` on the site's own form POSTs under
    // `Referrer-Policy: no-referrer`, which the site refuses).
    const second = await browser.context.newPage();
    watch(second);
    await second.goto(`${sample.url}/me`);
    const post = async (path: string, form: Record<string, string>) => {
      const csrf = await second.locator('input[name="_csrf"]').first().inputValue();
      const res = await browser.context.request.post(`${sample.url}${path}`, {
        form: { _csrf: csrf, ...form },
        headers: { origin: sample.url },
        maxRedirects: 0,
      });
      expect(res.status()).toBe(303);
      return res.headers().location;
    };
    expect(await post('/me/db', { key: 'color', value: 'teal', type: 'string' })).toBe('/me?notice=saved');

    // The first tab, untouched, now shows the key.
    await first.locator('#db td.value', { hasText: 'teal' }).waitFor();
    await first.locator('#live-status', { hasText: 'Live:' }).waitFor();

    await second.goto(`${sample.url}/`);
    await expect(second.getByRole('button', { name: 'Sign out of all devices' }).isVisible()).resolves.toBe(true);
    expect(await post('/logout-everywhere', {})).toBe('/?notice=logged-out-everywhere');
    await first.locator('#live-status', { hasText: 'Live updates stopped' }).waitFor();
    const me = await first.goto(`${sample.url}/me`);
    expect(first.url()).not.toBe(`${sample.url}/me`);
    expect(me?.status()).not.toBe(500);
    expect(problems).toEqual([]);
  }, 120_000);
});
