import { CDPSession, expect, Page, test } from '@playwright/test';
import { createUser, hydrated, latestCode, PASSWORD, smsCount, TestUser } from './helpers';

/**
 * Passkeys in a real browser: Chromium's virtual authenticator (DevTools protocol
 * `WebAuthn.*`) stands in for a phone or a security key. It verifies the user (as a
 * fingerprint would) and keeps discoverable credentials.
 */
async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

/**
 * Whether the authenticator answers by itself (as a touch would). Off, a request waits:
 * the page's autofill request then stays open while the test does something else.
 */
async function presence(cdp: CDPSession, id: string, on: boolean) {
  await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: id, enabled: on });
}

async function signInWithCode(
  page: Page,
  request: Parameters<typeof latestCode>[0],
  user: TestUser,
  textsBefore = 0,
) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  const code = await latestCode(request, user.phone, textsBefore);
  await page.getByLabel('Authentication Token', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await hydrated(page);
}

async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

test('passkeys: add one, sign in with the button and with autofill, see it in the history, remove it', async ({ page, request }) => {
  const user = createUser({ twoFactor: true });
  const { cdp, id } = await virtualAuthenticator(page);
  await signInWithCode(page, request, user);

  // Add: the browser's prompt (answered by the virtual authenticator), then a name.
  const card = page.getByRole('region', { name: 'Passkeys' });
  await expect(card.getByTestId('passkeys-state')).toHaveText('No passkeys yet.');
  await card.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(card.getByTestId('passkey-added')).toContainText('Passkey added.');
  const name = card.getByLabel('Name this passkey');
  await expect(name).toBeFocused();
  await expect(name).toHaveValue('Chrome on Linux');
  await name.fill('Work laptop');
  await card.getByRole('button', { name: 'Save name' }).first().click();
  await expect(card.getByTestId('passkey-name')).toHaveText(['Work laptop']);
  await expect(card.getByTestId('passkey')).toContainText('never used');
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: id });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential).toBe(true);

  // Sign in with the button: no password, no code. (No touch yet, so the autofill request
  // the page opens waits; pressing the button replaces it. The touch comes once that
  // request is open: touched before, the authenticator would answer the autofill.)
  await presence(cdp, id, false);
  await page.addInitScript(() => {
    const get = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.get = (options?: CredentialRequestOptions) => {
      if (options?.mediation === 'conditional') (window as any).__autofillOpen = true;
      return get(options);
    };
  });
  await logOut(page);
  await page.waitForFunction(() => (window as any).__autofillOpen === true);
  await presence(cdp, id, true);
  const texts = await smsCount(request, user.phone);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await hydrated(page);
  expect(await smsCount(request, user.phone)).toBe(texts); // nothing texted
  await page.getByRole('link', { name: 'Login History' }).click();
  await expect(page.locator('tbody tr').first()).toContainText('Passkey');
  await expect(page.locator('tbody tr').first()).toContainText('Signed in');

  // Sign in from the Username field's autofill (conditional mediation): the virtual
  // authenticator, touched, answers the request /login opens as it loads, so the page
  // may be signed straight back in before a test could look at /login.
  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await hydrated(page);
  await page.getByRole('link', { name: 'Login History' }).click();
  const passkeySignIns = page.locator('tbody tr', { hasText: 'Signed in' }).filter({ hasText: 'Passkey' });
  await expect(passkeySignIns).toHaveCount(2);
  await page.getByRole('link', { name: 'Security', exact: true }).click();
  await hydrated(page);
  await expect(page.getByRole('region', { name: 'Passkeys' }).getByTestId('passkey')).toContainText('last used');

  // Remove (the sign-in just now opened sudo mode), then sign-in falls back to password + code.
  await page.getByRole('region', { name: 'Passkeys' }).getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('region', { name: 'Passkeys' }).getByTestId('passkeys-state')).toHaveText('No passkeys yet.');
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: id });
  await logOut(page);
  await signInWithCode(page, request, user, 1);
});

test('passkeys: offered at the second step of a password sign-in', async ({ page, request }) => {
  const user = createUser({ twoFactor: true });
  const { cdp, id } = await virtualAuthenticator(page);
  await signInWithCode(page, request, user);
  await page.getByRole('region', { name: 'Passkeys' }).getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByRole('region', { name: 'Passkeys' }).getByTestId('passkey-added')).toBeVisible();
  // The password first (untouched, the authenticator leaves the autofill request waiting).
  await presence(cdp, id, false);
  await logOut(page);
  await hydrated(page);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page.getByTestId('code-sent')).toBeVisible();
  await presence(cdp, id, true);
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await page.getByRole('link', { name: 'Login History' }).click();
  await expect(page.locator('tbody tr').first()).toContainText('Passkey');
});

test('passkeys: without JavaScript no passkey button is shown, and the password form is all there is', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/login');
  await expect(page.getByLabel('Username')).toHaveAttribute('autocomplete', 'username webauthn');
  await expect(page.getByRole('button', { name: 'Log In' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toHaveCount(0);
  await context.close();
});
