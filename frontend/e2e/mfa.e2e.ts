// A user whose role requires TOTP scans a QR code drawn in the page, confirms a code, and gets in.
import { createHmac } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { openBrowser, screenshot, signIn, type Browser } from './browser';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The current RFC 6238 code of a base32 secret (SHA-1, 6 digits, 30 s), as an authenticator app shows it. */
function totpCode(secret: string, at = Date.now()): string {
  const bits = Array.from(secret.replace(/=+$/, ''), (char) => BASE32.indexOf(char).toString(2).padStart(5, '0')).join('');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = (digest.at(-1) ?? 0) & 0xf;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe('TOTP enrolment', () => {
  let browser: Browser;
  const page = () => browser.page;

  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
  });

  afterAll(async () => {
    await browser.close();
  });

  it('shows the setup link as a QR code and the key, then lets the user in once a code is confirmed', async () => {
    const viewer = inject('viewer');
    await page().goto('/');
    await signIn(page(), viewer.username, viewer.password);
    await page().getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    await page().getByLabel('Current password').fill(viewer.password);
    await page().getByRole('button', { name: 'Create my secret' }).click();

    const qrCode = page().getByRole('img', { name: 'QR code of the authenticator setup link' });
    await qrCode.waitFor();
    expect((await qrCode.boundingBox())?.width).toBeGreaterThan(100);
    const secret = (await page().locator('code.secret').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(await page().getByRole('link', { name: 'setup link' }).getAttribute('href')).toContain(`secret=${secret}`);
    await screenshot(page(), '17-mfa-enrolment');

    await page().getByLabel('Verification code').fill(totpCode(secret));
    await page().getByRole('button', { name: 'Turn on two-step verification' }).click();
    await page().getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  });
});
