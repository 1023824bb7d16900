import AxeBuilder from '@axe-core/playwright';
import { expect, Page, test } from '@playwright/test';
import { createUser, hydrated, latestEmail, PASSWORD } from './helpers';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'];

async function expectNoViolations(page: Page, what: string) {
  await hydrated(page);
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`), what).toEqual([]);
}

/**
 * A staff member signs in with a passkey (the console refuses a texted code), finds a
 * locked-out customer, unlocks them and starts a two-factor reset; the customer cancels
 * it from the email.
 */
test('support: find a customer, unlock them, start a reset; the customer cancels it from the email', async ({ page, request, browser }) => {
  const staff = createUser({ twoFactor: false, role: 'support' });
  const customer = createUser({ twoFactor: true });

  // The staff member's passkey (Chromium's virtual authenticator), then a sign-in with it.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Username').fill(staff.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await hydrated(page);

  // Signed in with the password alone: the console says what it needs.
  await page.goto('/support');
  await expect(page.getByRole('alert')).toContainText('needs an authenticator app or a passkey');
  await page.goto('/account/security');
  await hydrated(page);
  await page.getByRole('region', { name: 'Passkeys' }).getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByTestId('passkey-added')).toBeVisible();
  await page.getByRole('button', { name: 'Log Out' }).click();
  // On /login the passkey the browser offers (autofill) signs straight back in.
  await expect(page).toHaveURL(/\/account\/security$/);

  // The customer's name is locked by five wrong passwords.
  for (let i = 0; i < 5; i++) {
    await request.post('/api/login', { form: { username: customer.username, password: 'not the password at all' }, headers: { accept: 'application/json' } });
  }

  await page.goto('/support');
  await hydrated(page);
  await expectNoViolations(page, '/support');
  await page.getByLabel('Username, email or mobile number').fill(customer.username.slice(0, 6));
  await page.getByRole('button', { name: 'Find' }).click();
  await expect(page.getByTestId('no-customer')).toBeVisible();
  await page.getByLabel('Username, email or mobile number').fill(customer.phone);
  await page.getByRole('button', { name: 'Find' }).click();
  await page.getByTestId('customers').getByRole('link', { name: customer.username }).click();
  await expect(page.getByTestId('customer-username')).toHaveText(customer.username);
  await expect(page.getByTestId('customer-lock')).toContainText('Until');
  await expectNoViolations(page, 'customer');

  await page.getByLabel('Unlock — reason').fill('Customer called, verified by the ticket PIN');
  await page.getByTestId('unlock').getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByTestId('unlock')).toContainText('Unlocked.');
  await expect(page.getByTestId('customer-lock')).toHaveText('No');

  await page.getByLabel('Reset two-factor — reason').fill('Lost phone and recovery token, ID checked');
  await page.getByTestId('reset-2fa').getByRole('button', { name: 'Reset two-factor' }).click();
  await expect(page.getByTestId('reset-2fa')).toContainText('Reset started.');
  await expect(page.getByTestId('customer-reset')).toContainText('Waiting: takes effect');
  await expect(page.getByTestId('audit')).toContainText('two_factor_reset');

  // The customer follows the email's link in a browser of their own.
  const mail = await latestEmail(request, `${customer.username}@example.com`, 'Support started a two-factor reset');
  const link = /(http\S+\/cancel-reset\?token=[0-9a-f]{64})/.exec(mail)![1];
  const theirs = await (await browser.newContext()).newPage();
  await theirs.goto(link);
  await hydrated(theirs);
  await theirs.getByRole('button', { name: 'Cancel the reset' }).click();
  await expect(theirs.getByTestId('reset-cancelled')).toBeVisible();

  await page.reload();
  await expect(page.getByTestId('customer-reset')).toHaveText('None');
});
