import AxeBuilder from '@axe-core/playwright';
import { expect, Page, test } from '@playwright/test';
import { createUser, hydrated, passwordStep } from './helpers';

// WCAG 2.2 A and AA, and axe's best practices: zero violations on every page and state.
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'];

async function expectNoViolations(page: Page, what: string) {
  await hydrated(page);
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(found, what).toEqual([]);
}

for (const width of [1280, 360]) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height: 800 } });

    test('signed-out pages pass axe', async ({ page }) => {
      for (const path of ['/login', '/forgot-password', '/forgot-username', '/reset-password?token=nope', '/this-wasnt-me', '/confirm-email?token=nope']) {
        await page.goto(path);
        await expectNoViolations(page, path);
      }
      // An error state: a wrong password.
      await page.goto('/login');
      await hydrated(page);
      await page.getByLabel('Username').fill('nobody-here');
      await page.getByLabel('Password', { exact: true }).fill('not the password at all');
      await page.getByRole('button', { name: 'Log In' }).click();
      await expect(page.getByRole('alert')).toBeVisible();
      await expectNoViolations(page, 'login error');
    });

    test('the second step passes axe', async ({ page }) => {
      const user = createUser({ twoFactor: true });
      await passwordStep(page, user);
      await expect(page.getByLabel('Authentication Token', { exact: true })).toBeVisible();
      await expectNoViolations(page, 'second step');
    });

    test('signed-in pages and the recovery-token dialog pass axe', async ({ page }) => {
      const user = createUser({ twoFactor: false });
      await passwordStep(page, user);
      await expect(page).toHaveURL(/\/account\/security$/);
      for (const path of ['/account', '/account/security', '/account/history']) {
        await page.goto(path);
        await expectNoViolations(page, path);
      }
      await page.goto('/account/security');
      await hydrated(page);
      await page.getByRole('button', { name: 'Create Recovery Token' }).click();
      await expect(page.getByTestId('recovery-token')).toBeVisible();
      await expectNoViolations(page, 'recovery token shown');
    });
  });
}
