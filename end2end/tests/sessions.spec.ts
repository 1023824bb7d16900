import { expect, test } from '@playwright/test';
import { createUser, hydrated, passwordStep } from './helpers';

test('one browser signs the other out; the other lands on the sign-in page at its next click', async ({ browser }) => {
  const user = createUser({ twoFactor: false });
  const laptop = await (await browser.newContext()).newPage();
  const phone = await (await browser.newContext()).newPage();
  for (const page of [laptop, phone]) {
    await passwordStep(page, user);
    await expect(page).toHaveURL(/\/account\/security$/);
  }

  await laptop.reload();
  await hydrated(laptop);
  const card = laptop.getByRole('region', { name: "Where you're signed in" });
  await expect(card.getByRole('heading', { name: "Where you're signed in" })).toBeVisible();
  const rows = card.getByTestId('sessions').locator('li');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText('This device');
  await rows.nth(1).getByRole('button', { name: 'Sign out' }).click();
  await expect(rows).toHaveCount(1);
  await expect(card.getByRole('button', { name: 'Sign out everywhere else' })).toHaveCount(0);

  await phone.getByRole('link', { name: 'Login History' }).click();
  await expect(phone).toHaveURL(/\/login/);
  await expect(phone.getByLabel('Username')).toBeVisible();
});

test('sign out everywhere else works without JavaScript', async ({ browser }) => {
  const user = createUser({ twoFactor: false });
  const other = await (await browser.newContext()).newPage();
  await passwordStep(other, user);
  await expect(other).toHaveURL(/\/account\/security$/);

  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill('a perfectly fine passphrase');
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  const card = page.getByRole('region', { name: "Where you're signed in" });
  await expect(card.getByTestId('sessions').locator('li')).toHaveCount(2);
  await card.getByRole('button', { name: 'Sign out everywhere else' }).click();
  // Without JavaScript the form posts and the server sends the browser back.
  await expect(page).toHaveURL(/\/account\/security\??$/);
  await expect(card.getByTestId('sessions').locator('li')).toHaveCount(1);

  await other.reload();
  await expect(other).toHaveURL(/\/login/);
});
