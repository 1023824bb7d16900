import { createHmac } from 'node:crypto';
import { expect, Page, test } from '@playwright/test';
import { createUser, hydrated, latestCode, PASSWORD, TestUser } from './helpers';

/** RFC 4648 base32 (the typed key, spaces ignored) to bytes. */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/\s+/g, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 (SHA-1, 6 digits, 30 s), computed by the test as an app would. */
function totp(secret: Buffer, stepOffset = 0): string {
  const step = Math.floor(Date.now() / 1000 / 30) + stepOffset;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

async function passwordStep(page: Page, user: TestUser) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
}

test('authenticator app: set up with a computed code, sign in with it, then by text instead', async ({ page, request }) => {
  const user = createUser({ twoFactor: true });
  await passwordStep(page, user);
  await page.getByLabel('Authentication Token', { exact: true }).fill(await latestCode(request, user.phone));
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await hydrated(page);

  await expect(page.getByTestId('app-state')).toHaveText('Not set up.');
  await page.getByRole('button', { name: 'Set up' }).click();
  await expect(page.locator('.qr svg')).toBeVisible();
  const typed = (await page.getByTestId('app-secret').textContent())!;
  const secret = base32(typed);
  expect(secret.length).toBe(20);
  await page.getByLabel('Code from the app').fill(totp(secret));
  await page.getByTestId('app-setup').getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(page.getByText('Your authenticator app is set up.')).toBeVisible();
  await expect(page.getByTestId('app-state')).toContainText('On — added');

  // Sign out; sign in with the app. The set-up used this step, so the app's next code
  // (one step ahead, within the allowed drift) is what an app would show moments later.
  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await passwordStep(page, user);
  await expect(page.getByTestId('code-app')).toHaveText('Enter the 6-digit code from your authenticator app.');
  await page.getByLabel('Authentication Token', { exact: true }).fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);

  // And once more with "Text me a code instead".
  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await passwordStep(page, user);
  await expect(page.getByTestId('code-app')).toBeVisible();
  const before = await request.get('/dev/outbox.json').then((r) => r.json());
  const sent = before.filter((m: { channel: string; to: string }) => m.channel === 'sms' && m.to === user.phone).length;
  await page.getByRole('button', { name: 'Text me a code instead' }).click();
  await expect(page.getByTestId('code-sent')).toContainText(user.phone.slice(-4));
  await page.getByLabel('Authentication Token', { exact: true }).fill(await latestCode(request, user.phone, sent));
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);

  // The history names the factor.
  await page.getByRole('link', { name: 'Login History' }).click();
  await expect(page.getByRole('table')).toContainText('Authenticator app');
});
