import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { createUser, hydrated, latestCode, PASSWORD } from './helpers';

/**
 * Attack 8 (CSRF): a page served from another port on localhost — the same site as far
 * as SameSite cookies go — posts forms at Gatehouse with the customer's cookies. The
 * Origin check must refuse each one, and nothing may change.
 */
test('CSRF: forms posted from a page on another localhost port change nothing', async ({ page, request, baseURL }) => {
  const user = createUser({ twoFactor: true });
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  const code = await latestCode(request, user.phone);
  await page.getByLabel('Authentication Token', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);

  const forms: Record<string, Record<string, string>> = {
    'update-two-factor': { phone: '' },
    'change-password': {
      current_password: PASSWORD,
      password: 'an attacker chose this passphrase',
      password_again: 'an attacker chose this passphrase',
    },
  };
  const attacker = http.createServer((req, res) => {
    const endpoint = (req.url ?? '/').slice(1);
    const fields = Object.entries(forms[endpoint] ?? {})
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`)
      .join('');
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<form method="post" action="${baseURL}/api/${endpoint}">${fields}</form>
      <script>document.forms[0].submit()</script>`);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  const port = (attacker.address() as AddressInfo).port;
  try {
    for (const endpoint of Object.keys(forms)) {
      const refused = page.waitForResponse((r) => r.url().endsWith(`/api/${endpoint}`));
      await page.goto(`http://localhost:${port}/${endpoint}`);
      expect((await refused).status(), endpoint).toBe(403);
    }
  } finally {
    attacker.close();
  }

  // Still on, with the same number, and the password unchanged.
  await page.goto('/account/security');
  await expect(page.getByTestId('tfa-state')).toHaveText(`On — codes go to •••• ${user.phone.slice(-4)}`);
  const res = await request.post('/api/login', {
    form: { username: user.username, password: PASSWORD },
    headers: { accept: 'application/json' },
  });
  expect(res.status()).toBe(200);
});
