import { expect, test } from '@playwright/test';
import { createUser, hydrated, latestCode, PASSWORD, TestUser } from './helpers';

async function signInWithCode(page: import('@playwright/test').Page, request: import('@playwright/test').APIRequestContext, user: TestUser) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  const code = await latestCode(request, user.phone);
  await page.getByLabel('Authentication Token', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
}

test('step 7: create the Recovery Token, shown once, then sign in with it', async ({ page, request, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const user = createUser({ twoFactor: true });
  await signInWithCode(page, request, user);
  await hydrated(page);

  await page.getByRole('button', { name: 'Create Recovery Token' }).click();
  const tokenBox = page.getByTestId('recovery-token');
  await expect(tokenBox).toHaveText(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/);
  const token = (await tokenBox.textContent())!;
  await expect(page.getByText('Please print this or write it down. You will not be able to retrieve it again.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Print' })).toBeVisible();
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

  // Leaving before "I have saved it" asks first; staying keeps the token on screen.
  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await page.getByRole('link', { name: 'Login History' }).click();
  await expect.poll(() => asked).toContain("You haven't confirmed that you saved your recovery token");
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(tokenBox).toHaveText(token);

  await page.getByRole('button', { name: 'I have saved it' }).click();
  await expect(tokenBox).toHaveCount(0);
  await expect(page.getByTestId('recovery-state')).toContainText('Recovery token created on');

  // It cannot be seen again after a reload.
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('recovery-token')).toHaveCount(0);
  expect(await page.content()).not.toContain(token);

  // Sign out and sign in with the token instead of the texted code.
  await page.getByRole('button', { name: 'Log Out' }).click();
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  await page.getByLabel('Authentication Token', { exact: true }).fill(token.toLowerCase());
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByTestId('recovery-banner')).toHaveText(
    'You used your recovery token. Create a new one now, and check your mobile number.',
  );
  await expect(page.getByRole('button', { name: 'Create Recovery Token' })).toBeVisible();
});
