// A superadmin's administration: an integrator token whose secret is shown once (and works), a new
// user with a second role, who then changes their own password. Partners get none of it: see partner.e2e.ts.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { openBrowser, screenshot, signIn, type Browser } from './browser';

describe('administration', () => {
  let browser: Browser;
  const page = () => browser.page;
  const menu = () => page().getByRole('navigation', { name: 'Main' });

  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  });

  afterAll(async () => {
    await browser.close();
  });

  it('creates an integrator token, shows its secret once, and the secret works as a bearer', async () => {
    await page().goto('/');
    await signIn(page(), 'admin', inject('adminPassword'));
    await menu().getByRole('link', { name: 'API tokens' }).click();
    await page().getByRole('heading', { name: 'API tokens', level: 1 }).waitFor();

    await page().getByRole('button', { name: 'New token' }).click();
    const form = page().getByRole('dialog', { name: 'New API token' });
    await form.getByLabel('Name').fill('e2e reporting');
    await form.getByLabel('Tenant').selectOption({ index: 1 });
    const tenantName = (await form.getByLabel('Tenant').locator('option:checked').textContent()) ?? '';
    // Administering the platform cannot be bound to one tenant: the token gets ops.
    await form.getByRole('checkbox', { name: 'Superadmin' }).uncheck();
    await form.getByRole('checkbox', { name: 'Ops' }).check();
    await form.getByLabel('Your password').fill(inject('adminPassword'));
    await form.getByRole('button', { name: 'Create token' }).click();

    const shown = page().getByRole('dialog', { name: 'Token “e2e reporting” created' });
    await shown.getByText('you won’t see it again').waitFor();
    const secret = await shown.getByLabel('Secret').inputValue();
    expect(secret).toMatch(/^odk_/);
    await shown.getByRole('button', { name: 'Copy secret' }).click();
    await shown.getByText('Copied to the clipboard').waitFor();
    expect(await page().evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await screenshot(page(), '09-token-secret');

    const me = await fetch(`${inject('baseUrl')}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);
    const caller = (await me.json()) as { kind: string; name: string; tenant_name: string | null };
    expect(caller.kind).toBe('token');
    expect(caller.name).toMatch(/^token e2e reporting \(#\d+\)$/);
    expect(caller.tenant_name).toBe(tenantName);

    await shown.getByRole('button', { name: 'I have copied it' }).click();
    const row = page().getByRole('row').filter({ hasText: 'e2e reporting' });
    await row.getByText('active', { exact: true }).waitFor();
    expect(await page().content()).not.toContain(secret);
    await screenshot(page(), '10-tokens');
  });

  it('creates a user and grants them a second role', async () => {
    await menu().getByRole('link', { name: 'Users' }).click();
    await page().getByRole('heading', { name: 'Users', level: 1 }).waitFor();

    await page().getByRole('button', { name: 'New user' }).click();
    const form = page().getByRole('dialog', { name: 'New user' });
    await form.getByLabel('Username').fill('e2e-olga');
    await form.getByLabel('Display name').fill('Olga Operator');
    await form.getByLabel('Password').fill('short');
    await form.getByLabel('Role').selectOption({ label: 'Support' });
    await form.getByRole('button', { name: 'Create user' }).click();
    // The server's reason shows next to the field; nothing was created.
    await form.getByLabel('Password').and(page().locator('[aria-invalid="true"]')).waitFor();
    await screenshot(page(), '11-user-invalid');

    await form.getByLabel('Password').fill('juniper-cobalt-meadow-e2e');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page().getByRole('status').filter({ hasText: 'User “e2e-olga” was created.' }).waitFor();

    await page().getByRole('link', { name: 'e2e-olga' }).click();
    await page().getByRole('heading', { name: 'e2e-olga', level: 1 }).waitFor();
    const grant = page().getByRole('form', { name: 'Grant a role' });
    await grant.getByLabel('Role').selectOption({ label: 'Ops' });
    await grant.getByRole('button', { name: 'Grant role' }).click();
    await page().getByRole('status').filter({ hasText: 'Role ops granted to e2e-olga.' }).waitFor();
    const roles = page().getByRole('table', { name: 'Role bindings' }).getByRole('row');
    await expect.poll(() => roles.allTextContents()).toEqual([expect.stringContaining('Role'), expect.stringContaining('Support'), expect.stringContaining('Ops')]);
    await screenshot(page(), '12-user');
  });

  it('lets a user change their own password, judged as it is typed, after which only the new one signs in', async () => {
    const olga = await openBrowser(inject('baseUrl'));
    const first = 'juniper-cobalt-meadow-e2e';
    const second = 'saffron-glacier-tundra-e2e';
    try {
      await olga.page.goto('/');
      await signIn(olga.page, 'e2e-olga', first);
      await olga.page.getByRole('link', { name: 'Change password' }).click();
      const form = olga.page.getByRole('form', { name: 'Change password' });
      await form.getByLabel('Current password').fill(first);
      await form.getByLabel('New password', { exact: true }).fill('password1234');
      await expect.poll(() => form.getByRole('meter', { name: 'Strength' }).getAttribute('aria-valuetext')).toMatch(/^(Too weak|Weak)$/);
      await form.getByLabel('Repeat the new password').fill('password1234');
      await form.getByRole('button', { name: 'Change password' }).click();
      // The server refuses it too, next to the field.
      await form.getByLabel('New password', { exact: true }).and(olga.page.locator('[aria-invalid="true"]')).waitFor();
      await screenshot(olga.page, '12b-password-weak');

      await form.getByLabel('New password', { exact: true }).fill(second);
      await form.getByLabel('Repeat the new password').fill(second);
      await form.getByRole('button', { name: 'Change password' }).click();
      await olga.page.getByRole('status').filter({ hasText: 'Your password was changed.' }).waitFor();
    } finally {
      await olga.close();
    }

    const login = (password: string) =>
      fetch(`${inject('baseUrl')}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'e2e-olga', password }),
      });
    expect((await login(first)).status).toBe(401);
    expect((await login(second)).status).toBe(200);
  });

  it('lists the tenants', async () => {
    await menu().getByRole('link', { name: 'Tenants' }).click();
    await page().getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    expect(await page().getByRole('row').count()).toBeGreaterThan(2);
    await screenshot(page(), '13-tenants');
  });
});
