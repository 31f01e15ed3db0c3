import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startSample, type RunningSample } from '../support/sample-app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts', 'browser');

describe.each(['express', 'fastify'] as const)('a person clicking through the sample app (%s)', (adapter) => {
  let sample: RunningSample;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let dataDir: string;
  let step = 0;
  const shot = async (name: string) => {
    await page.screenshot({
      path: join(ARTIFACTS, adapter, `${String(++step).padStart(2, '0')}-${name}.png`),
      fullPage: true,
    });
  };

  beforeAll(async () => {
    mkdirSync(join(ARTIFACTS, adapter), { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'logup-sample-data-'));
    sample = await startSample(adapter, { DATA_DIR: dataDir });
    profile = mkdtempSync(join(tmpdir(), 'logup-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await sample?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs in on the LogUp page, edits the DB, sees a limit error, and logs out', async () => {
    await page.goto(`${sample.url}/`);
    await shot('home');
    await page.getByRole('button', { name: 'Log in with LogUp' }).click();

    await page.waitForURL(`${sample.emulator.url}/login**`);
    await page.getByLabel('Email').fill(`browser-${adapter}@example.com`);
    await page.getByLabel('I am new to this site').check();
    await shot('logup-login-page');
    await page.getByRole('button', { name: 'Continue' }).click();

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

    const longKey = 'k'.repeat(33);
    await page.getByLabel('Key (1–32 characters)').fill(longKey);
    await page.getByLabel('Value (up to 1024 characters)').fill('kept');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('#update-errors').textContent()).resolves.toContain(
      `key "${longKey}" is 33 characters; at most 32`,
    );
    // Nothing the person typed is lost.
    await expect(page.getByLabel('Key (1–32 characters)').inputValue()).resolves.toBe(longKey);
    await expect(page.getByLabel('Value (up to 1024 characters)').inputValue()).resolves.toBe('kept');
    await shot('me-limit-error');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${sample.url}/`);
    await expect(page.getByRole('button', { name: 'Log in with LogUp' }).isVisible()).resolves.toBe(true);
    await shot('logged-out');
    await page.goto(`${sample.url}/me`);
    expect(page.url()).toBe(`${sample.url}/`);
  }, 60_000);
});
