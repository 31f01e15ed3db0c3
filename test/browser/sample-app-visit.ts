import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page, Response } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { startSample, type RunningSample } from '../support/sample-app.js';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts', 'browser');

/** An answer or console line the test did not ask for: a broken page, a missing file, a CSP refusal. */
interface Trouble {
  kind: string;
  url: string;
  text: string;
}

const errorKey = (method: string, url: string, status: number) => `${method} ${new URL(url).pathname} -> ${status}`;

/**
 * A person's visit to the sample app in Chromium: the app (with its own data
 * directory), the page, numbered screenshots, and every trouble the page met.
 */
export class Visit {
  /** Error answers the test provokes on purpose: `METHOD path -> status`. */
  readonly expected = new Set<string>();
  readonly trouble: Trouble[] = [];
  private step = 0;

  private constructor(
    readonly adapter: 'express' | 'fastify',
    readonly sample: RunningSample,
    private readonly browser: Awaited<ReturnType<typeof launchChromium>>,
    private readonly dataDir: string,
  ) {
    this.watch();
  }

  static async open(adapter: 'express' | 'fastify'): Promise<Visit> {
    // Only this run's screenshots (the names carry the width).
    rmSync(join(ARTIFACTS, adapter), { recursive: true, force: true });
    mkdirSync(join(ARTIFACTS, adapter), { recursive: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'logup-sample-data-'));
    const sample = await startSample(adapter, { DATA_DIR: dataDir });
    const browser = await launchChromium({ width: 1280, height: 800 }).catch(async (error: unknown) => {
      await sample.close();
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    });
    return new Visit(adapter, sample, browser, dataDir);
  }

  get page(): Page {
    return this.browser.page;
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.sample.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async shot(name: string): Promise<void> {
    const width = this.page.viewportSize()?.width ?? 0;
    await this.page.screenshot({
      path: join(ARTIFACTS, this.adapter, `${String(++this.step).padStart(2, '0')}-${name}-${width}.png`),
      fullPage: true,
    });
  }

  /** No horizontal scrolling: the page is no wider than the window. */
  async expectFits(what: string): Promise<void> {
    const { scrollWidth, innerWidth } = await this.page.evaluate<{ scrollWidth: number; innerWidth: number }>(
      '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
    );
    expect({ what, scrollWidth: scrollWidth <= innerWidth ? 'fits' : scrollWidth, innerWidth }).toEqual({
      what,
      scrollWidth: 'fits',
      innerWidth,
    });
  }

  private watch(): void {
    const { page, expected, trouble } = this;
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
  }
}

/** Logs in from the home page with LogUp's page, as `email` (as new to the site if `isNew`), and lands on /me. */
export async function logIn(page: Page, sample: RunningSample, email: string, isNew = false) {
  await page.goto(`${sample.url}/`);
  await page.getByRole('button', { name: 'Log in with LogUp' }).click();
  await page.waitForURL(`${sample.emulator.url}/login**`);
  await page.getByLabel('Email').fill(email);
  if (isNew) await page.getByLabel('I am new to this site').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${sample.url}/me`);
}

/** Saves a key with the form of /me (the page shown). */
export async function saveKey(page: Page, key: string, value: string) {
  await page.getByLabel('Key (1–32 characters)').fill(key);
  await page.getByLabel('Value (up to 1024 characters)').fill(value);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/me\?notice=saved$/);
}
