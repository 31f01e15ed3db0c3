import { Visit } from './sample-app-visit.js';

/** The widths the pages are checked at: a laptop and a phone (iPhone 12-15). */
const WIDTHS = [1280, 390] as const;

/** The home page, logged out: its icon is served, then the visitor clicks Log in. */
async function startAtHome(visit: Visit) {
  const { page, sample } = visit;
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${sample.url}/`);
  // The site's icon is served (layout.hbs links it; the CSP allows it).
  await expect(page.locator('link[rel="icon"]').getAttribute('href')).resolves.toBe('/favicon.svg');
  const icon = await page.request.get(`${sample.url}/favicon.svg`);
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toMatch(/^image\/svg\+xml/);
  await visit.expectFits('home, logged out');
  await visit.shot('home');
  await page.getByRole('button', { name: 'Log in with LogUp' }).click();
}

/** LogUp's login page, at both widths: the visitor logs in as new to the site. */
async function logInOnLogupPage(visit: Visit) {
  const { page, sample } = visit;
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
  await page.getByLabel('Email').fill(`browser-${visit.adapter}@example.com`);
  await page.getByLabel('I am new to this site').check();
  await visit.shot('logup-login-page');
  await page.setViewportSize({ width: 390, height: 844 });
  await visit.expectFits('LogUp login page');
  await visit.shot('logup-login-page');
  await page.setViewportSize({ width: 1280, height: 800 });
  await continueButton.click();
}

/** Back on /me: the new visitor's profile; returns their idSubscription. */
async function arriveOnMe(visit: Visit): Promise<string> {
  const { page, sample } = visit;
  await page.waitForURL(`${sample.url}/me`);
  await expect(page.locator('#isNewUser').textContent()).resolves.toBe('true');
  const idSubscription = await page.locator('#idSubscription').textContent();
  expect(idSubscription).toMatch(/^sub_/);
  // The profile the login hook made on this site.
  await expect(page.locator('#displayName').textContent()).resolves.toMatch(/^Visitor \d{4}$/);
  await expect(page.locator('#loginCount').textContent()).resolves.toBe('1');
  await visit.shot('me-after-login');
  return idSubscription!;
}

/** Renames the visitor, then saves a key and deletes it, checking LogUp's copy of the DB. */
async function renameAndEditDb(visit: Visit, idSubscription: string) {
  const { page, sample } = visit;
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
  await expect(sample.emulator.db(idSubscription)).resolves.toEqual({ country: 'italy' });
  await visit.shot('me-key-added');

  await page.getByLabel('select country').check();
  await page.getByRole('button', { name: 'Delete selected keys' }).click();
  await page.waitForURL(/\/me\?notice=deleted$/);
  await expect(page.getByText('Your DB is empty.').isVisible()).resolves.toBe(true);
  await expect(sample.emulator.db(idSubscription)).resolves.toEqual({});
  await visit.shot('me-key-deleted');
}

/** Mistakes are explained in sentences, next to the form, and nothing typed is lost. */
async function makeMistakes(visit: Visit) {
  const { page } = visit;
  visit.expected.add(`POST /me/db -> 400`);
  const longKey = 'k'.repeat(33);
  await page.getByLabel('Key (1–32 characters)').fill(longKey);
  await page.getByLabel('Value (up to 1024 characters)').fill('kept');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('#update-errors').textContent()).resolves.toBe(
    'The key can be at most 32 characters; this one has 33.',
  );
  await expect(page.getByLabel('Key (1–32 characters)').inputValue()).resolves.toBe(longKey);
  await expect(page.getByLabel('Value (up to 1024 characters)').inputValue()).resolves.toBe('kept');
  await visit.shot('me-limit-error');

  await page.getByLabel('Key (1–32 characters)').fill('age');
  await page.getByLabel('Value (up to 1024 characters)').fill('twenty');
  await page.getByLabel('Type').selectOption('number');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('#update-errors').textContent()).resolves.toBe('Enter a number, such as 42 or 3.5.');
  await expect(page.getByLabel('Type').inputValue()).resolves.toBe('number');
  await page.getByLabel('Value (up to 1024 characters)').fill('21');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/me\?notice=saved$/);
}

/** Long ids, keys and values wrap instead of widening the page, at every width, as does the error page. */
async function saveLongValueAndCheckWidths(visit: Visit, idSubscription: string) {
  const { page, sample } = visit;
  const longValue = `https://example.com/${'a'.repeat(180)}?${'b'.repeat(60)}`;
  await page.getByLabel('Key (1–32 characters)').fill('K'.repeat(32));
  await page.getByLabel('Value (up to 1024 characters)').fill(longValue);
  await page.getByLabel('Type').selectOption('string');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/me\?notice=saved$/);
  await expect(sample.emulator.db(idSubscription)).resolves.toEqual({ age: 21, ['K'.repeat(32)]: longValue });

  visit.expected.add(`GET /no-such-page -> 404`);
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    await page.goto(`${sample.url}/`);
    // Logged in, the home page offers the account and a Log out button.
    await expect(page.getByRole('link', { name: 'Go to your account' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('main').getByRole('button', { name: 'Log out' }).isVisible()).resolves.toBe(true);
    await visit.expectFits(`home, logged in, ${width}`);
    await visit.shot('home-logged-in');

    await page.goto(`${sample.url}/me`);
    await visit.expectFits(`/me with a long key and value, ${width}`);
    // The type select keeps room for its longest option.
    const select = await page.getByLabel('Type').boundingBox();
    expect(select!.width).toBeGreaterThanOrEqual(100);
    await visit.shot('me-long-values');

    await page.goto(`${sample.url}/no-such-page`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Error 404');
    await expect(page.getByRole('alert').textContent()).resolves.toBe('There is no page at this address.');
    await visit.expectFits(`error page, ${width}`);
    await visit.shot('error-page');
  }
}

/** Logs out on a phone: the home page says so, and /me sends the visitor home. */
async function logOut(visit: Visit) {
  const { page, sample } = visit;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${sample.url}/`);
  await page.locator('main').getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(`${sample.url}/?notice=logged-out`);
  await expect(page.getByRole('status').textContent()).resolves.toBe('You are logged out.');
  await expect(page.getByRole('button', { name: 'Log in with LogUp' }).isVisible()).resolves.toBe(true);
  await visit.expectFits('home after logout, 390');
  await visit.shot('logged-out');
  await page.setViewportSize({ width: 1280, height: 800 });
  await visit.shot('logged-out');
  await page.goto(`${sample.url}/me`);
  expect(page.url()).toBe(`${sample.url}/`);
}

describe.each(['express', 'fastify'] as const)('a person clicking through the sample app (%s)', (adapter) => {
  let visit: Visit;

  beforeAll(async () => {
    visit = await Visit.open(adapter);
  }, 60_000);
  afterAll(() => visit?.close());
  afterEach(() => {
    // No 404 (the favicon), no CSP refusal, no script error, no failed request on any page.
    expect(visit.trouble).toEqual([]);
  });

  it('logs in on the LogUp page, edits the DB, sees a limit error, and logs out', async () => {
    await startAtHome(visit);
    await logInOnLogupPage(visit);
    const idSubscription = await arriveOnMe(visit);
    await renameAndEditDb(visit, idSubscription);
    await makeMistakes(visit);
    await saveLongValueAndCheckWidths(visit, idSubscription);
    await logOut(visit);
  }, 120_000);
});
