import { expect, Page, test } from '@playwright/test';
import { createUser, hydrated, latestCode, PASSWORD } from './helpers';

/** Presses Tab until `target` has focus (at most 40 times), checking that every focused
 *  element shows a visible focus outline. */
async function tabTo(page: Page, target: ReturnType<Page['locator']>) {
  for (let i = 0; i < 40; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el && el !== document.body ? getComputedStyle(el).outlineStyle : 'body';
    });
    expect(outline, 'focus is visible').not.toBe('none');
  }
  throw new Error('never reached by Tab');
}

test('sign in and turn two-factor authentication on with the keyboard alone', async ({ page, request }) => {
  const user = createUser({ twoFactor: false });
  await page.goto('/login');
  await hydrated(page);
  // Username has focus on arrival.
  await expect(page.getByLabel('Username')).toBeFocused();
  await page.keyboard.type(user.username);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
  await page.keyboard.type('wrong password, surely');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toHaveText('Invalid username or password.');
  await tabTo(page, page.getByLabel('Password', { exact: true }));
  await page.keyboard.press('Control+A');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account\/security$/);
  await hydrated(page);

  // Mobile, Space on the checkbox, Enter on Update.
  const mobile = page.getByLabel('Mobile');
  await tabTo(page, mobile);
  await page.keyboard.type('12');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Two Factor Authentication Enabled')).toBeFocused();
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Update' })).toBeFocused();
  await page.keyboard.press('Enter');
  // A refused number: focus goes back to the field, with its message.
  await expect(page.locator('#phone-error')).toHaveText('That number is too short for the United Kingdom.');
  await expect(mobile).toBeFocused();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(user.phone);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  // The next step: focus is on the Confirmation code.
  const confirmation = page.getByLabel('Confirmation code');
  await expect(confirmation).toBeFocused();
  await page.keyboard.type(await latestCode(request, user.phone));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('tfa-state')).toHaveText(`On — codes go to •••• ${user.phone.slice(-4)}`);
});
