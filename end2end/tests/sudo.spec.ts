import AxeBuilder from '@axe-core/playwright';
import { expect, Page, test } from '@playwright/test';
import { ageSudo, createUser, hydrated, latestCode, PASSWORD, passwordStep, plainPasswordStep } from './helpers';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'];

/** Zero axe violations in the page's present state (a prompt open, a notice shown). */
async function expectNoViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`), what).toEqual([]);
}

test('a change that needs the password again asks for it in its card, then goes ahead by itself', async ({ page, request }) => {
  const user = createUser({ twoFactor: false });
  await passwordStep(page, user);
  await expect(page).toHaveURL(/\/account\/security$/);
  ageSudo(user);
  await page.reload();
  await hydrated(page);

  const card = page.getByRole('region', { name: 'Two Factor Authentication' });
  await card.getByLabel('Mobile').fill(user.phone);
  await card.getByLabel('Two Factor Authentication Enabled').check();
  await card.getByRole('button', { name: 'Update' }).click();
  // The prompt opens in this card, with the focus; what was typed stays.
  await expect(card.getByRole('alert')).toHaveText('For your security, please enter your password again to make this change.');
  const password = card.getByLabel('Password', { exact: true });
  await expect(password).toBeFocused();
  await expect(card.getByLabel('Mobile')).toHaveValue(user.phone);

  await password.fill('not my password at all');
  await password.press('Enter');
  await expect(card.locator('#sudo-password-error')).toHaveText("That password isn't right.");
  await expect(password).toBeFocused();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expectNoViolations(page, 'the password prompt, refused');

  await password.fill(PASSWORD);
  await password.press('Enter');
  // Confirmed: Update is made again without another press, and the code goes out.
  const confirmation = page.getByLabel('Confirmation code');
  await expect(confirmation).toBeFocused();
  await confirmation.fill(await latestCode(request, user.phone));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByTestId('tfa-state')).toHaveText(`On — codes go to •••• ${user.phone.slice(-4)}`);
  const notice = page.getByText(`Two Factor Authentication is on. Codes will go to •••• ${user.phone.slice(-4)}.`);
  await expect(notice).toBeVisible();
  await expect(notice).toHaveAttribute('role', 'status');
  await expectNoViolations(page, 'a notice');
});

test('without JavaScript the prompt shows on the refused page, and the change is made again by hand', async ({ browser, request }) => {
  const user = createUser({ twoFactor: false });
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await plainPasswordStep(page, user);
  await expect(page).toHaveURL(/\/account\/security$/);
  ageSudo(user);

  await page.getByLabel('Mobile').fill(user.phone);
  await page.getByLabel('Two Factor Authentication Enabled').check();
  await page.getByRole('button', { name: 'Update' }).click();
  const card = page.getByRole('region', { name: 'Two Factor Authentication' });
  await expect(card.getByRole('alert')).toHaveText('For your security, please enter your password again to make this change.');
  await card.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await card.getByRole('button', { name: 'Confirm password' }).click();
  await expect(page.getByText('Thanks. Make the change again to go ahead.')).toBeVisible();

  await page.getByLabel('Mobile').fill(user.phone);
  await page.getByLabel('Two Factor Authentication Enabled').check();
  await page.getByRole('button', { name: 'Update' }).click();
  await page.getByLabel('Confirmation code').fill(await latestCode(request, user.phone));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByTestId('tfa-state')).toHaveText(`On — codes go to •••• ${user.phone.slice(-4)}`);
  await context.close();
});

test('a form being sent says so and sends nothing more when pressed again', async ({ page }) => {
  const user = createUser({ twoFactor: false });
  await passwordStep(page, user);
  await expect(page).toHaveURL(/\/account\/security$/);
  await hydrated(page);
  const card = page.getByRole('region', { name: 'Change password' });
  await card.getByLabel('Current password').fill(PASSWORD);
  await card.getByLabel('New password', { exact: true }).fill('a new and entirely fine passphrase');
  await card.getByLabel('Confirm new password').fill('a new and entirely fine passphrase');
  // Hold the answer, to see the form while it waits for it.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let posts = 0;
  await page.route('**/api/change-password', async (route) => {
    posts += 1;
    await held;
    await route.continue();
  });
  await card.getByRole('button', { name: 'Change password' }).click();
  const busy = card.getByRole('button', { name: 'Changing…' });
  await expect(busy).toBeDisabled();
  await card.getByLabel('Confirm new password').press('Enter');
  release();
  await expect(page.getByTestId('password-changed')).toBeVisible();
  expect(posts).toBe(1);
});
