import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { APIRequestContext, expect, Page } from '@playwright/test';

export const DEMO = { username: 'demo', password: 'gatehouse-demo-password' };

/** Waits until the page has hydrated (the app sets data-hydrated on <body>). */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Signs in with the demo account through the hydrated form. */
export async function signIn(page: Page) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Username').fill(DEMO.username);
  await page.getByLabel('Password', { exact: true }).fill(DEMO.password);
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
}


export const PASSWORD = 'a perfectly fine passphrase';

export interface TestUser {
  username: string;
  phone: string;
}

/**
 * Creates a fresh account with the operator's own command (`server user add`), so each
 * test has its own phone number and outbox messages no other test reads.
 */
export function createUser(opts: { twoFactor: boolean; role?: 'support' }): TestUser {
  const n = Math.floor(Math.random() * 1_000_000);
  const username = `e2e-${Date.now().toString(36)}-${n}`;
  const phone = `+447400${String(n).padStart(6, '0')}`;
  const root = path.resolve(__dirname, '..', '..');
  const args = ['user', 'add', username, '--email', `${username}@example.com`, '--phone', phone];
  if (opts.twoFactor) args.push('--two-factor');
  if (opts.role) args.push('--role', opts.role);
  const server = process.env.GATEHOUSE_PG_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
  execFileSync(path.join(root, 'target', 'release', 'server'), args, {
    cwd: root,
    env: { ...process.env, DATABASE_URL: `${server}/gatehouse_e2e`, GATEHOUSE_PASSWORD: PASSWORD, RUST_LOG: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { username, phone };
}

/** The code in the newest SMS to `phone`, read from the dev outbox. */
export async function latestCode(request: APIRequestContext, phone: string, notBefore = 0): Promise<string> {
  let code = '';
  await expect
    .poll(async () => {
      const res = await request.get('/dev/outbox.json');
      const messages: { channel: string; to: string; body: string }[] = await res.json();
      const mine = messages.filter((m) => m.channel === 'sms' && m.to === phone);
      if (mine.length <= notBefore) return '';
      code = /code is (\d{6})/.exec(mine[0].body)?.[1] ?? '';
      return code;
    })
    .toMatch(/^\d{6}$/);
  return code;
}

/** How many SMS have gone to `phone`. */
export async function smsCount(request: APIRequestContext, phone: string): Promise<number> {
  const res = await request.get('/dev/outbox.json');
  const messages: { channel: string; to: string }[] = await res.json();
  return messages.filter((m) => m.channel === 'sms' && m.to === phone).length;
}

/** Username and password through the hydrated form. */
export async function passwordStep(page: Page, user: TestUser) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
}

/** Username and password through the plain form, as a browser without JavaScript sends it. */
export async function plainPasswordStep(page: Page, user: TestUser) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log In' }).click();
}

/** The body of the newest email to `to` whose subject contains `subject`, from the outbox. */
export async function latestEmail(request: APIRequestContext, to: string, subject: string): Promise<string> {
  let body = '';
  await expect
    .poll(async () => {
      const res = await request.get('/dev/outbox.json');
      const messages: { channel: string; to: string; subject: string | null; body: string }[] = await res.json();
      const mine = messages.find((m) => m.channel === 'email' && m.to === to && (m.subject ?? '').includes(subject));
      body = mine?.body ?? '';
      return body;
    })
    .not.toBe('');
  return body;
}

/**
 * Makes the password proof of `user`'s sessions 11 minutes old, as if they had signed in
 * that long ago: past the 10 minutes of sudo mode, so the next security change asks for
 * the password again.
 */
export function ageSudo(user: TestUser) {
  const server = process.env.GATEHOUSE_PG_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
  execFileSync('psql', [
    `${server}/gatehouse_e2e`, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c',
    `UPDATE sessions SET authenticated_at = authenticated_at - interval '11 minutes'
     WHERE user_id = (SELECT id FROM users WHERE username = '${user.username}')`,
  ]);
}
