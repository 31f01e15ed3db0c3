import type { Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { startSample, type RunningSample } from '../support/sample-app.js';
import { logIn, saveKey } from './sample-app-visit.js';

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
    await logIn(first, sample, `live-${adapter}@example.com`);
    await first.locator('#live-status', { hasText: 'Live:' }).waitFor();

    // Another tab of the same browser changes a key with the page's own form.
    const second = await browser.context.newPage();
    watch(second);
    await second.goto(`${sample.url}/me`);
    await saveKey(second, 'color', 'teal');

    // The first tab, untouched, now shows the key.
    await first.locator('#db td.value', { hasText: 'teal' }).waitFor();
    await first.locator('#live-status', { hasText: 'Live:' }).waitFor();

    await second.goto(`${sample.url}/`);
    await second.getByRole('button', { name: 'Sign out of all devices' }).click();
    await second.waitForURL(/\/\?notice=logged-out-everywhere$/);
    await first.locator('#live-status', { hasText: 'Live updates stopped' }).waitFor();
    const me = await first.goto(`${sample.url}/me`);
    expect(first.url()).not.toBe(`${sample.url}/me`);
    expect(me?.status()).not.toBe(500);
    expect(problems).toEqual([]);
  }, 120_000);
});
