import { expect, test } from '@playwright/test';
import { createUser, hydrated, PASSWORD, passwordStep } from './helpers';

test("This wasn't me walks from a Login History row to a new password", async ({ browser }) => {
  const user = createUser({ twoFactor: false });
  const intruder = await (await browser.newContext()).newPage();
  await passwordStep(intruder, user);
  await expect(intruder).toHaveURL(/\/account\/security$/);

  const page = await (await browser.newContext()).newPage();
  await passwordStep(page, user);
  await expect(page).toHaveURL(/\/account\/security$/);
  await page.getByRole('link', { name: 'Login History' }).click();
  await expect(page.getByRole('heading', { name: 'Login History' })).toBeVisible();
  // Two sign-ins: this session's own has no link, the other one has.
  await expect(page.getByRole('link', { name: "This wasn't me" })).toHaveCount(1);
  await page.getByRole('link', { name: "This wasn't me" }).click();
  await expect(page).toHaveURL(/\/this-wasnt-me$/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Lock my account down' }).click();
  await expect(page).toHaveURL(/\/new-password$/);
  await expect(page.getByRole('heading', { name: 'Set a new password' })).toBeVisible();

  // The other browser is out at its next click.
  await intruder.getByRole('link', { name: 'Login History' }).click();
  await expect(intruder).toHaveURL(/\/login/);

  // Nothing else answers this browser until the new password is set.
  await page.goto('/account/security');
  await expect(page).toHaveURL(/\/new-password$/);
  await hydrated(page);
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill('a fresh start of a passphrase');
  await page.getByLabel('Confirm new password').fill('a fresh start of a passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByTestId('password-changed')).toBeVisible();
  await page.getByRole('link', { name: 'Continue to Account › Security' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByRole('heading', { name: 'Two Factor Authentication' })).toBeVisible();
});

test("signed out, the email's This wasn't me link asks to sign in first or offers Forgot Password", async ({ page }) => {
  await page.goto('/this-wasnt-me');
  await expect(page.getByText('Sign in first: this link does nothing by itself.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Forgot Password?' })).toHaveAttribute('href', '/forgot-password');
  await expect(page.getByRole('link', { name: 'Log In' })).toHaveAttribute('href', '/login?next=/this-wasnt-me');
});

test("This wasn't me works without JavaScript", async ({ browser }) => {
  const user = createUser({ twoFactor: false });
  const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await page.goto('/login');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await page.goto('/this-wasnt-me');
  await page.getByRole('button', { name: 'Lock my account down' }).click();
  await expect(page).toHaveURL(/\/new-password$/);
  await page.goto('/account/security');
  await expect(page).toHaveURL(/\/new-password$/);
});
