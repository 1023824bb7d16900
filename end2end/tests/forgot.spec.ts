import { expect, test } from '@playwright/test';
import { createUser, hydrated, latestCode, latestEmail, PASSWORD } from './helpers';

const NEW_PASSWORD = 'a brand new passphrase for e2e';

test('Forgot Username? emails the username', async ({ page, request }) => {
  const user = createUser({ twoFactor: false });
  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('link', { name: 'Forgot Username?' }).click();
  await expect(page).toHaveURL(/\/forgot-username$/);
  await hydrated(page);
  await page.getByLabel('Email address').fill(`${user.username}@example.com`);
  await page.getByRole('button', { name: 'Email my username' }).click();
  await expect(page.getByTestId('forgot-sent')).toHaveText("If an account uses that address, we've emailed its username.");

  const body = await latestEmail(request, `${user.username}@example.com`, 'your username');
  expect(body).toContain(`  ${user.username}\n`);
  expect(body).toContain('/login');
});

test('Forgot Password? resets the password by email, and sign-in still asks for the SMS code', async ({ page, request }) => {
  const user = createUser({ twoFactor: true });
  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('link', { name: 'Forgot Password?' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await hydrated(page);
  await page.getByLabel('Username or email address').fill(user.username);
  await page.getByRole('button', { name: 'Email me a reset link' }).click();
  await expect(page.getByTestId('forgot-sent')).toContainText("If an account matches, we've emailed it a link");

  const body = await latestEmail(request, `${user.username}@example.com`, 'reset your password');
  const link = /(http:\/\/\S+\/reset-password\?token=[0-9a-f]{64})/.exec(body)![1];
  await page.goto(link);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();

  // The rules speak up next to the field.
  await page.getByLabel('New password', { exact: true }).fill('qwerty123456');
  await page.getByLabel('Confirm new password').fill('qwerty123456');
  await page.getByRole('button', { name: 'Set New Password' }).click();
  await expect(page.locator('#new-password-error')).toContainText('most commonly used');

  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set New Password' }).click();
  await expect(page.getByTestId('reset-done')).toBeVisible();

  // The link is used up.
  await page.goto(link);
  await expect(page.getByTestId('reset-invalid')).toBeVisible();

  // Sign in with the new password: the SMS code is still asked for.
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page.getByRole('alert')).toHaveText('Invalid username or password.');
  await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  const code = await latestCode(request, user.phone);
  await page.getByLabel('Authentication Token', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
});

test('without JavaScript, a refused new password is shown on the reset page, which keeps its link', async ({ browser, request }) => {
  const user = createUser({ twoFactor: false });
  const noJs = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await noJs.goto('/forgot-password');
  await noJs.getByLabel('Username or email address').fill(user.username);
  await noJs.getByRole('button', { name: 'Email me a reset link' }).click();
  await expect(noJs.getByTestId('forgot-sent')).toBeVisible();
  const body = await latestEmail(request, `${user.username}@example.com`, 'reset your password');
  const link = /(http:\/\/\S+\/reset-password\?token=[0-9a-f]{64})/.exec(body)![1];

  // The page sends no Referer (its address holds the token): the refusal still comes back to it.
  await noJs.goto(link);
  await noJs.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await noJs.getByLabel('Confirm new password').fill('not the same passphrase at all');
  await noJs.getByRole('button', { name: 'Set New Password' }).click();
  await expect(noJs).toHaveURL(/\/reset-password\?.*token=[0-9a-f]{64}/);
  await expect(noJs.locator('#new-password-again-error')).toHaveText("The two passwords don't match.");
  await expect(noJs.getByLabel('Confirm new password')).toHaveAttribute('aria-invalid', 'true');

  await noJs.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await noJs.getByLabel('Confirm new password').fill(NEW_PASSWORD);
  await noJs.getByRole('button', { name: 'Set New Password' }).click();
  await expect(noJs.getByTestId('reset-done')).toBeVisible();
});
