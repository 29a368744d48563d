// An ops admin's day, in a real browser against the real binary: sign in, read the dashboard,
// run an export to the end and download it, retry failed ones, search and export the audit log.
import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { openBrowser, screenshot, signIn, type Browser } from './browser';

describe('staff', () => {
  let browser: Browser;
  const page = () => browser.page;

  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
  });

  afterAll(async () => {
    await browser.close();
  });

  it('signs in through the login form', async () => {
    await page().goto('/');
    await page().getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page(), '01-login');

    await signIn(page(), 'admin', 'not-the-password');
    await page().getByRole('alert').filter({ hasText: /wrong|invalid|password/i }).waitFor();

    await signIn(page(), 'admin', inject('adminPassword'));
    await page().getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  });

  it('shows the dashboard with KPIs, charts and tables of data', async () => {
    const kpis = page().getByRole('list', { name: "Today's KPIs" }).getByRole('listitem');
    await kpis.first().waitFor();
    expect(await kpis.count()).toBeGreaterThanOrEqual(4);

    // Every chart has drawn its series as SVG paths.
    expect(await page().getByRole('figure').count()).toBe(4);
    await page().locator('figure.chart .recharts-area-curve').first().waitFor();
    await page().locator('figure.chart .recharts-line-curve').first().waitFor();

    const failedExportRows = page().getByRole('region', { name: 'Failed exports' }).getByRole('row');
    expect(await failedExportRows.count()).toBeGreaterThan(1);
    const auditRows = page().getByRole('region', { name: 'Recent audit entries' }).getByRole('row');
    expect(await auditRows.count()).toBeGreaterThan(1);
    await screenshot(page(), '02-dashboard');
  });

  it('keeps the session over a reload, through the refresh cookie alone', async () => {
    expect(await page().evaluate(() => window.localStorage.length)).toBe(0);
    await page().reload();
    await page().getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    const cookies = await browser.context.cookies();
    expect(cookies.find((cookie) => cookie.name === 'opsdeck_refresh')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth' });
  });

  it('narrows the dashboard to one tenant with the switcher', async () => {
    const request = page().waitForRequest((req) => req.url().includes('/api/v1/dashboard?tenant_id='));
    await page().getByLabel('Tenant').selectOption({ index: 1 });
    expect(new URL((await request).url()).searchParams.get('tenant_id')).toMatch(/^\d+$/);
    await page().getByRole('region', { name: 'Failed exports' }).waitFor();
    await page().getByLabel('Tenant').selectOption({ label: 'All tenants' });
  });

  it('creates an export, follows it to DONE and downloads the file', async () => {
    await page().getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Export jobs' }).click();
    await page().getByRole('heading', { name: 'Export jobs', level: 1 }).waitFor();

    await page().getByRole('button', { name: 'New export' }).click();
    const dialog = page().getByRole('dialog', { name: 'New export' });
    await dialog.getByLabel('Dataset').selectOption({ label: 'Products' });
    await dialog.getByLabel('Tenant').selectOption({ index: 1 });
    await dialog.getByRole('button', { name: 'Start export' }).click();

    const notice = page().getByRole('status').filter({ hasText: /Export #\d+ is queued/ });
    const jobId = /#(\d+)/.exec((await notice.textContent()) ?? '')?.[1];
    expect(jobId).toBeDefined();

    // The list polls while the job runs; the row turns DONE without a reload.
    const row = page().getByRole('row').filter({ has: page().getByRole('link', { name: `#${jobId}`, exact: true }) });
    await row.getByText('done', { exact: true }).waitFor({ timeout: 60_000 });
    await screenshot(page(), '03-exports');

    const download = page().waitForEvent('download');
    await row.getByRole('button', { name: `Download job #${jobId}` }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.csv$/);
    const path = await file.path();
    expect(readFileSync(path, 'utf8').split('\n')[0]).toMatch(/\w+,\w+/);
  });

  it('asks before retrying failed exports, listing them, then reports the outcome', async () => {
    await page().getByLabel('Status').selectOption({ label: 'Failed' });
    const boxes = page().getByRole('checkbox', { name: /^Select job #/ });
    await boxes.first().waitFor();
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page().getByRole('button', { name: 'Retry selected (2)' }).click();

    const dialog = page().getByRole('dialog', { name: 'Retry 2 export jobs?' });
    expect(await dialog.getByRole('row').count()).toBe(3);
    await screenshot(page(), '04-retry-confirmation');

    await dialog.getByRole('button', { name: 'Retry 2 export jobs' }).click();
    const result = page().getByRole('dialog', { name: 'Retry requested' });
    await result.getByText(/back in the queue/).waitFor();
    await result.getByRole('button', { name: 'Close' }).first().click();
    await page().getByRole('status').filter({ hasText: 'queued again' }).waitFor();
  });

  it('scrolls the audit log endlessly, filters it and exports it as CSV', async () => {
    await page().getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    const rows = page().getByRole('table').getByRole('row');
    await rows.nth(1).waitFor();
    const firstPage = await rows.count();

    // Scrolling to the end loads the next keyset page by itself.
    await page().mouse.wheel(0, 100_000);
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(firstPage);

    await page().getByLabel('Action starts with').fill('auth.');
    await page().getByRole('button', { name: 'Apply filters' }).click();
    await page().waitForURL(/action_prefix=auth\./);
    await expect.poll(async () => (await page().locator('tbody tr td:nth-child(3)').allTextContents()).every((action) => action.startsWith('auth.'))).toBe(true);
    await screenshot(page(), '05-audit-log');

    const download = page().waitForEvent('download');
    await page().getByRole('button', { name: 'Export CSV of these filters' }).click();
    const csv = readFileSync(await (await download).path(), 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((line) => line.includes('auth.'))).toBe(true);
  });

  it('opens an audit entry from the log', async () => {
    await page().locator('tbody tr td:nth-child(3) a').first().click();
    await page().getByRole('heading', { name: 'Hash chain' }).waitFor();
    await screenshot(page(), '06-audit-entry');
  });

  it('signs out', async () => {
    await page().getByRole('button', { name: 'Sign out' }).click();
    await page().getByRole('heading', { name: 'Sign in' }).waitFor();
    // The refresh cookie is gone too: a reload does not sign anyone back in.
    await page().reload();
    await page().getByRole('heading', { name: 'Sign in' }).waitFor();
  });
});
