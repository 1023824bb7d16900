import { expect, test } from '@playwright/test';
import { createUser, hydrated, latestEmail, passwordStep } from './helpers';

test('change the email address: a link to the new one, the old one told, then Profile shows it', async ({ page, request, browser }) => {
  const user = createUser({ twoFactor: false });
  const newAddress = `${user.username}-new@example.org`;
  await passwordStep(page, user);
  await expect(page).toHaveURL(/\/account\/security$/);
  await page.getByRole('link', { name: 'Profile' }).click();
  await hydrated(page);
  await page.getByLabel('New email address').fill(newAddress);
  await page.getByRole('button', { name: 'Send confirmation link' }).click();
  await expect(page.getByTestId('email-link-sent')).toContainText(newAddress);

  const told = await latestEmail(request, `${user.username}@example.com`, 'A new email address was requested');
  expect(told).toContain('/this-wasnt-me');
  const link = await latestEmail(request, newAddress, 'confirm your new email address');
  const token = /confirm-email\?token=([0-9a-f]{64})/.exec(link)?.[1];
  expect(token).toBeTruthy();

  // The link, opened in a browser without JavaScript, changes the address with one button.
  const noJs = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await noJs.goto(`/confirm-email?token=${token}`);
  await noJs.getByRole('button', { name: 'Use this address' }).click();
  await expect(noJs.getByTestId('email-confirmed')).toBeVisible();

  await page.reload();
  await expect(page.getByRole('definition').filter({ hasText: newAddress })).toBeVisible();
});
