import { expect, test } from '@playwright/test';
import { DEMO, hydrated, signIn } from './helpers';

test('the sign-in page renders the seed form and hydrates', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The Content-Security-Policy must not block anything hydration needs.
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto('/login');
  await expect(page.getByLabel('Username')).toBeVisible();
  await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log In' })).toBeVisible();
  await hydrated(page);
  expect(errors).toEqual([]);
});

test('a client-side interaction works: show and hide the password', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('secret words here');
  await expect(password).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(password).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Hide' }).click();
  await expect(password).toHaveAttribute('type', 'password');
});

test('a wrong password shows the generic error in place', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.evaluate(() => ((window as any).__samePage = true));
  await page.getByLabel('Username').fill(DEMO.username);
  await page.getByLabel('Password', { exact: true }).fill('definitely not it');
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page.getByRole('alert')).toHaveText('Invalid username or password.');
  await expect(page).toHaveURL(/\/login$/);
  expect(await page.evaluate(() => (window as any).__samePage)).toBe(true);
});

test('the demo account signs in and lands on Account › Security', async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole('heading', { name: 'Two Factor Authentication' })).toBeVisible();
  await expect(page.getByTestId('tfa-state')).toHaveText('Off');
  await expect(page.getByRole('link', { name: 'Security' })).toHaveAttribute('aria-current', 'page');
});

test('the account tabs are links to their pages, each marked as the current one', async ({ page }) => {
  await signIn(page);
  const tab = (name: string) => page.getByRole('navigation', { name: 'Account settings' }).getByRole('link', { name, exact: true });

  await tab('Login History').click();
  await expect(page).toHaveURL(/\/account\/history$/);
  await expect(page.getByRole('heading', { name: 'Login History' })).toBeVisible();
  await expect(tab('Login History')).toHaveAttribute('aria-current', 'page');
  await expect(page).toHaveTitle('Login History · Gatehouse');

  await tab('Profile').click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator('.facts')).toContainText(DEMO.username);
  await expect(tab('Profile')).toHaveAttribute('aria-current', 'page');

  await tab('Security').click();
  await expect(page.getByRole('heading', { name: 'Two Factor Authentication' })).toBeVisible();
  await expect(tab('Security')).toHaveAttribute('aria-current', 'page');
  await expect(tab('Profile')).not.toHaveAttribute('aria-current', 'page');
  await hydrated(page);
});

test('the Account silhouette in the sidebar opens Account settings', async ({ page }) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'Control panel' }).getByRole('link', { name: 'Account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
});

test('log out ends the session', async ({ page }) => {
  await signIn(page);
  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/account/security');
  await expect(page).toHaveURL(/\/login$/);
});

test('signed-out visitors to Account pages land on the sign-in page', async ({ page }) => {
  await page.goto('/account/history');
  // …and come back to the page they asked for after signing in.
  await expect(page).toHaveURL(/\/login\?next=\/account\/history$/);
  await expect(page.getByRole('button', { name: 'Log In' })).toBeVisible();
});

test('sign-in works with JavaScript disabled', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Username').fill(DEMO.username);
  await page.getByLabel('Password', { exact: true }).fill('wrong password here');
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page.getByRole('alert')).toHaveText('Invalid username or password.');
  await page.getByLabel('Username').fill(DEMO.username);
  await page.getByLabel('Password', { exact: true }).fill(DEMO.password);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByRole('heading', { name: 'Two Factor Authentication' })).toBeVisible();
  await context.close();
});

for (const width of [360, 1280]) {
  test(`the layout holds at ${width} px`, async ({ browser }, testInfo) => {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    await page.goto('/login');
    await hydrated(page);
    let overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await signIn(page);
    overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    for (const tab of ['Profile', 'Security', 'Login History']) {
      await expect(page.getByRole('link', { name: tab, exact: true })).toBeInViewport();
    }
    await expect(page.getByRole('link', { name: 'Account' })).toBeInViewport();
    await page.screenshot({ path: testInfo.outputPath(`account-${width}.png`), fullPage: true });
    await context.close();
  });
}

test('labels are tied to their inputs and focus is visible', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.keyboard.press('Tab');
  const focused = page.locator(':focus');
  await expect(focused).toBeVisible();
  const outline = await focused.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
});
