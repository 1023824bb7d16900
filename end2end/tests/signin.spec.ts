import { expect, test } from '@playwright/test';
import { createUser, hydrated, latestCode, passwordStep, plainPasswordStep, smsCount } from './helpers';

test('full sign-in with the texted code, read from the outbox', async ({ page, request }) => {
  const user = createUser({ twoFactor: true });
  await passwordStep(page, user);
  await expect(page.getByTestId('code-sent')).toHaveText(`We sent a code to •••• ${user.phone.slice(-4)}.`);
  const field = page.getByLabel('Authentication Token', { exact: true });
  await expect(field).toBeFocused();
  await expect(field).toHaveAttribute('autocomplete', 'one-time-code');
  await expect(field).toHaveAttribute('inputmode', 'numeric');
  const code = await latestCode(request, user.phone);
  await field.fill(`${code.slice(0, 3)} ${code.slice(3)}`);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByTestId('tfa-state')).toHaveText(`On — codes go to •••• ${user.phone.slice(-4)}`);
});

test('the ? next to Authentication Token explains it', async ({ page }) => {
  const user = createUser({ twoFactor: true });
  await passwordStep(page, user);
  await page.getByLabel('What is the Authentication Token?').click();
  await expect(page.getByText('The 6-digit passcode we just texted to your mobile phone.')).toBeVisible();
});

test('a wrong code, then the right one', async ({ page, request }) => {
  const user = createUser({ twoFactor: true });
  await passwordStep(page, user);
  const code = await latestCode(request, user.phone);
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  await page.getByLabel('Authentication Token', { exact: true }).fill(wrong);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page.getByRole('alert')).toHaveText("That code isn't right. 4 attempts left.");
  await page.getByLabel('Authentication Token', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
});

test('the resend button counts down, then sends a new code', async ({ page, request }) => {
  const user = createUser({ twoFactor: true });
  await passwordStep(page, user);
  const resend = page.getByTestId('resend');
  await expect(resend).toBeDisabled();
  // serve.sh sets a 5-second cooldown so this test does not wait 30.
  await expect(resend).toHaveText(/^Resend code \([2-5] s\)$/);
  const first = Number(/\((\d+) s\)/.exec((await resend.textContent()) ?? '')![1]);
  // The countdown moves on its own, one second at a time.
  await expect(resend).toHaveText(`Resend code (${first - 1} s)`, { timeout: 3_000 });
  await expect(resend).toBeEnabled({ timeout: 10_000 });
  await expect(resend).toHaveText('Resend code');
  await resend.click();
  await expect(page.getByText('We sent you a new code.')).toBeVisible();
  expect(await smsCount(request, user.phone)).toBe(2);
  await expect(page.getByTestId('resend')).toBeDisabled();
  const code = await latestCode(request, user.phone);
  await page.getByLabel('Authentication Token', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
});

test('trust this device, sign out, and sign in again without a code', async ({ page, request }) => {
  const user = createUser({ twoFactor: true });
  await passwordStep(page, user);
  const code = await latestCode(request, user.phone);
  await page.getByLabel('Authentication Token', { exact: true }).fill(code);
  await page.getByLabel('Trust this device for 30 days').check();
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByRole('region', { name: 'Trusted devices' }).locator('li')).toHaveCount(1);

  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await passwordStep(page, user);
  await expect(page).toHaveURL(/\/account\/security$/);
  expect(await smsCount(request, user.phone)).toBe(1);

  // Revoked: the next sign-in asks for a code again.
  await page.getByRole('button', { name: 'Revoke all' }).click();
  await expect(page.getByTestId('no-devices')).toBeVisible();
  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await passwordStep(page, user);
  await expect(page.getByLabel('Authentication Token', { exact: true })).toBeVisible();
});

test('the Login History tab shows the attempts', async ({ page, request }) => {
  const user = createUser({ twoFactor: true });
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill('not my password');
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page.getByRole('alert')).toHaveText('Invalid username or password.');
  await passwordStep(page, user);
  const code = await latestCode(request, user.phone);
  await page.getByLabel('Authentication Token', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);

  await page.getByRole('link', { name: 'Login History' }).click();
  const rows = page.locator('table.history tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText('Signed in');
  await expect(rows.nth(0)).toContainText('SMS code');
  await expect(rows.nth(1)).toContainText('Password OK, code sent');
  await expect(rows.nth(2)).toContainText('Wrong username or password');
  await expect(rows.nth(0)).toContainText('127.0.0.1');
  // Shown in the browser's time zone, not the server's UTC text.
  await expect(rows.nth(0).locator('time')).not.toContainText('UTC');
});

test('the same flow works with JavaScript disabled', async ({ browser, request }) => {
  const user = createUser({ twoFactor: true });
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await plainPasswordStep(page, user);
  await expect(page.getByTestId('code-sent')).toBeVisible();
  const code = await latestCode(request, user.phone);
  await page.getByLabel('Authentication Token', { exact: true }).fill('000000' === code ? '111111' : '000000');
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page.getByRole('alert')).toContainText("That code isn't right.");
  await page.getByLabel('Authentication Token', { exact: true }).fill(code);
  await page.getByLabel('Trust this device for 30 days').check();
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByTestId('tfa-state')).toContainText('On');
  await context.close();
});
