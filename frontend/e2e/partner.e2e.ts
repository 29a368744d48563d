// A partner admin sees the same app, scoped by the server to their one tenant.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { openBrowser, screenshot, signIn, type Browser } from './browser';

/** Every numeric `tenant_id` anywhere in an API answer. */
function tenantIdsIn(value: unknown, found: Set<number> = new Set()): Set<number> {
  if (Array.isArray(value)) {
    for (const item of value) tenantIdsIn(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'tenant_id' && typeof inner === 'number') found.add(inner);
      else tenantIdsIn(inner, found);
    }
  }
  return found;
}

describe('partner', () => {
  let browser: Browser;
  const page = () => browser.page;
  const partner = inject('partner');
  const seenTenantIds = new Set<number>();
  const pending: Promise<void>[] = [];

  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
    // Whatever the screens show comes from these answers: none may name another tenant.
    browser.page.on('response', (response) => {
      const type = response.headers()['content-type'] ?? '';
      if (!response.url().includes('/api/v1/') || !type.includes('application/json')) return;
      pending.push(
        response
          .json()
          .then((body: unknown) => void tenantIdsIn(body, seenTenantIds))
          .catch(() => undefined),
      );
    });
  });

  afterAll(async () => {
    await browser.close();
  });

  it('signs in to a dashboard of their own tenant, without a tenant switcher or staff links', async () => {
    await page().goto('/');
    await signIn(page(), partner.username, partner.password);
    await page().getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page().getByRole('list', { name: "Today's KPIs" }).waitFor();
    await page().locator('figure.chart .recharts-area-curve').first().waitFor();

    expect(await page().getByLabel('Tenant').count()).toBe(0);
    // Their own API tokens, but no tenant or user administration.
    expect(await page().getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Dashboard', 'Catalog', 'Bulk jobs', 'Export jobs', 'Audit log', 'API tokens']);
    expect(await page().getByRole('region', { name: 'Failed webhook events' }).count()).toBe(0);
    await page().getByText(`Partner view: ${partner.tenantName}`).waitFor();
    await screenshot(page(), '07-partner-dashboard');
  });

  it('lists only their tenant’s export jobs and audit entries', async () => {
    await page().getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Export jobs' }).click();
    await page().getByRole('table').getByRole('row').nth(1).waitFor();
    expect(await page().getByRole('columnheader', { name: 'Tenant' }).count()).toBe(0);
    await screenshot(page(), '08-partner-exports');

    await page().getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await page().getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page().locator('.list-footer').waitFor();

    await Promise.all(pending);
    expect([...seenTenantIds]).toEqual([partner.tenantId]);
  });

  it('sees only their tenant’s products and articles in the catalog', async () => {
    await page().getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click();
    await page().getByRole('heading', { name: 'Products', level: 1 }).waitFor();
    await page().getByRole('checkbox', { name: /^Select product #/ }).first().waitFor();
    expect(await page().getByRole('columnheader', { name: 'Tenant' }).count()).toBe(0);
    await screenshot(page(), '26-partner-products');

    await page().getByRole('navigation', { name: 'Catalog sections' }).getByRole('link', { name: 'Articles' }).click();
    await page().getByRole('checkbox', { name: /^Select article #/ }).first().waitFor();

    await Promise.all(pending);
    expect([...seenTenantIds]).toEqual([partner.tenantId]);
  });

  it('gets “not found” for another tenant’s export and no access to staff screens', async () => {
    await page().goto(`/exports/${inject('otherTenantExportId')}`);
    await page().getByRole('alert').filter({ hasText: `Export job #${inject('otherTenantExportId')} could not be loaded` }).waitFor();

    await page().goto('/webhooks');
    await page().getByText('You do not have access to this page').waitFor();
  });

  it('cannot reach tenant or user administration by address', async () => {
    for (const address of ['/admin/tenants', '/admin/users', '/admin/users/1']) {
      await page().goto(address);
      await page().getByText('You do not have access to this page').waitFor();
      expect(await page().getByRole('alert').count()).toBe(0);
    }
    await screenshot(page(), '16-partner-no-access');
  });
});
