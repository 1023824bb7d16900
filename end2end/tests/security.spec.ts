import { expect, test } from '@playwright/test';
import { createUser, hydrated, latestCode, PASSWORD, plainPasswordStep } from './helpers';

test("the seed's steps 2–6: turn on Two Factor Authentication with a proven number", async ({ page, request }) => {
  const user = createUser({ twoFactor: false });
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);

  // Step 2: the Account person silhouette; step 3: the Security tab on the upper right.
  await page.getByRole('navigation', { name: 'Control panel' }).getByRole('link', { name: 'Account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.getByRole('link', { name: 'Security', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Two Factor Authentication' })).toBeVisible();
  await expect(page.getByTestId('tfa-state')).toHaveText('Off');

  // Steps 4–6: Mobile, the checkbox, Update.
  const mobile = page.getByLabel('Mobile');
  await expect(mobile).toHaveAttribute('placeholder', 'Your Mobile Number');
  await mobile.fill('12');
  await page.getByLabel('Two Factor Authentication Enabled').check();
  await page.getByRole('button', { name: 'Update' }).click();
  await expect(page.locator('#phone-error')).toHaveText('That number is too short for the United Kingdom.');
  await expect(page.getByTestId('tfa-state')).toHaveText('Off');

  await mobile.fill(user.phone);
  await page.getByRole('button', { name: 'Update' }).click();
  const confirmation = page.getByLabel('Confirmation code');
  await expect(confirmation).toBeVisible();
  await expect(page.getByTestId('tfa-state')).toHaveText('Off');
  const code = await latestCode(request, user.phone);
  await confirmation.fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText(`Two Factor Authentication is on. Codes will go to •••• ${user.phone.slice(-4)}.`)).toBeVisible();
  await expect(page.getByTestId('tfa-state')).toHaveText(`On — codes go to •••• ${user.phone.slice(-4)}`);

  // The next sign-in asks for a code.
  await page.getByRole('button', { name: 'Log Out' }).click();
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page.getByLabel('Authentication Token', { exact: true })).toBeVisible();
});

test('turning Two Factor Authentication on works without JavaScript', async ({ browser, request }) => {
  const user = createUser({ twoFactor: false });
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await plainPasswordStep(page, user);
  await expect(page).toHaveURL(/\/account\/security$/);
  await page.getByLabel('Mobile').fill(user.phone);
  await page.getByLabel('Two Factor Authentication Enabled').check();
  await page.getByRole('button', { name: 'Update' }).click();
  const code = await latestCode(request, user.phone);
  await page.getByLabel('Confirmation code').fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByTestId('tfa-state')).toHaveText(`On — codes go to •••• ${user.phone.slice(-4)}`);
  await context.close();
});
