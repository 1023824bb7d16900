import { defineConfig } from '@playwright/test';

// The built release server (target/release/server) is started by Playwright itself, on
// its own port and its own freshly created database (see serve.sh), and the tests wait
// for /readyz (200 once migrated and serving) rather than sleeping.
const port = Number(process.env.E2E_PORT ?? 3210);

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    // localhost, not 127.0.0.1: an IP address cannot be a WebAuthn relying party id, and
    // the passkey tests need one (serve.sh sets GATEHOUSE_PUBLIC_URL to match).
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download cannot work here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    command: 'bash end2end/serve.sh',
    cwd: '..',
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { E2E_PORT: String(port) },
  },
});
