// Bulk changes from the catalog, in a real browser against the real binary: a 10% discount on
// selected products and on a filtered list, previewed, confirmed, followed live to the end and
// checked to the cent; then webhook events processed again from the list and from one event.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';

import { openBrowser, screenshot, signIn, type Browser } from './browser';

/** Prices are shown with all their minor digits ("€1,234.56", "¥1,234"): the digits are the minor units. */
function minorUnits(shown: string): number {
  return Number(shown.replace(/\D/g, ''));
}

/** A 10% discount, exactly as the API computes it: the price × 0.9 rounded half away from zero, in minor units. */
function discounted(priceMinor: number): number {
  return Math.floor((priceMinor * 9 + 5) / 10);
}

function productRows(page: Page): Locator {
  return page.getByRole('row').filter({ has: page.getByRole('checkbox', { name: /^Select product #\d+ / }) });
}

async function productId(row: Locator): Promise<number> {
  const label = (await row.getByRole('checkbox').getAttribute('aria-label')) ?? '';
  return Number(/#(\d+)/.exec(label)?.[1]);
}

/** Product id -> price in minor units, for the first `count` rows of the list. */
async function readPrices(page: Page, count: number): Promise<Map<number, number>> {
  const rows = productRows(page);
  await rows.first().waitFor();
  const prices = new Map<number, number>();
  for (let index = 0; index < count; index += 1) {
    const row = rows.nth(index);
    prices.set(await productId(row), minorUnits((await row.locator('td.numeric').textContent()) ?? ''));
  }
  return prices;
}

async function priceShown(page: Page, id: number): Promise<number> {
  const row = productRows(page).filter({ has: page.getByRole('checkbox', { name: new RegExp(`^Select product #${id} `) }) });
  return minorUnits((await row.locator('td.numeric').textContent()) ?? '');
}

describe('catalog and bulk jobs', () => {
  let browser: Browser;
  const page = () => browser.page;

  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
    await browser.page.goto('/catalog/products');
    await signIn(browser.page, 'admin', inject('adminPassword'));
    await browser.page.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
    // One tenant, so every price on the page shares a currency and the list is the tenant's own.
    await browser.page.getByLabel('Tenant').selectOption({ index: 1 });
  });

  afterAll(async () => {
    await browser.close();
  });

  /** Previews the discount on the draft the page shows, checks the sample against `before`, starts it and waits for the end. */
  async function discountByTenPercent(before: Map<number, number>, screenshotName: string): Promise<void> {
    await page().getByRole('heading', { name: 'New bulk job', level: 1 }).waitFor();
    await page().getByRole('radio', { name: 'Change prices' }).check();
    await page().getByLabel('Direction').selectOption({ label: 'Lower prices (discount)' });
    await page().getByLabel('By percent').fill('10');
    await page().getByRole('button', { name: 'Preview the change' }).click();

    const dialog = page().getByRole('dialog', { name: /^Lower prices by 10%: \d+ products?\?$/ });
    await dialog.waitFor();
    for (const [id, price] of before) {
      const sampleRow = dialog.getByRole('row').filter({ hasText: `#${id}` });
      if ((await sampleRow.count()) === 0) continue; // The sample holds the lowest ten ids.
      expect(minorUnits((await sampleRow.locator('del').textContent()) ?? '')).toBe(price);
      expect(minorUnits((await sampleRow.locator('ins').textContent()) ?? '')).toBe(discounted(price));
    }
    await screenshot(page(), screenshotName);

    await dialog.getByRole('button', { name: /^Start: lower prices by 10% on/ }).click();
    await page().waitForURL(/\/bulk-jobs\/\d+$/);
    const bar = page().getByRole('progressbar', { name: /^Bulk job #\d+$/ });
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 60_000 }).toBe('100');
    await page().getByRole('status').filter({ hasText: /^Done: [\d,]+ of [\d,]+ rows changed\.$/ }).waitFor({ timeout: 30_000 });
  }

  it('applies a 10% discount to selected products: preview, confirm, progress to done, new prices to the cent', async () => {
    const before = await readPrices(page(), 3);
    await screenshot(page(), '20-products');

    for (const id of before.keys()) await page().getByRole('checkbox', { name: new RegExp(`^Select product #${id} `) }).check();
    await page().getByRole('link', { name: 'Change selected (3)…' }).click();
    await page().getByText(/^3 selected products \(#\d+, #\d+, #\d+\)$/).waitFor();

    await discountByTenPercent(before, '21-bulk-preview');
    expect(await page().getByRole('heading', { level: 1 }).textContent()).toMatch(/^Bulk job #\d+: Lower prices by 10%$/);
    await screenshot(page(), '22-bulk-job-done');

    await page().getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click();
    await page().getByRole('heading', { name: 'Products', level: 1 }).waitFor();
    await productRows(page()).first().waitFor();
    for (const [id, price] of before) {
      await expect.poll(() => priceShown(page(), id)).toBe(discounted(price));
    }
  });

  it('applies a 10% discount to every product of a filtered list', async () => {
    const shop = page().getByLabel('Shop');
    await expect.poll(async () => (await shop.locator('option').count()) > 1).toBe(true);
    const shopName = (await shop.locator('option').nth(1).textContent()) ?? '';
    await shop.selectOption({ index: 1 });
    await page().waitForURL(/shop_id=\d+/);
    const shopId = new URL(page().url()).searchParams.get('shop_id') ?? '';
    // The filtered page is in once the first rows are all of that shop.
    await expect.poll(async () => (await productRows(page()).locator('td:nth-child(3)').allTextContents()).slice(0, 3)).toEqual([shopName, shopName, shopName]);
    const before = await readPrices(page(), 3);

    await page().getByRole('link', { name: 'Change all matching products…' }).click();
    await page().getByText(`Every product with Shop #${shopId}`).waitFor();
    await discountByTenPercent(before, '23-bulk-preview-filter');

    await page().goBack();
    await page().waitForURL(new RegExp(`/catalog/products\\?shop_id=${shopId}`));
    for (const [id, price] of before) {
      await expect.poll(() => priceShown(page(), id)).toBe(discounted(price));
    }
  });

  it('lists bulk jobs with the new ones first', async () => {
    await page().getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bulk jobs' }).click();
    await page().getByRole('heading', { name: 'Bulk jobs', level: 1 }).waitFor();
    const firstRow = page().getByRole('table').getByRole('row').nth(1);
    await firstRow.getByText('Lower prices by 10%').waitFor();
    await firstRow.getByText('done', { exact: true }).waitFor();
    await screenshot(page(), '24-bulk-jobs');
  });

  it('reprocesses the selected failed webhook events after confirming them', async () => {
    await page().getByLabel('Tenant').selectOption({ label: 'All tenants' });
    await page().getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhook events' }).click();
    await page().getByRole('heading', { name: 'Webhook events', level: 1 }).waitFor();
    await page().getByLabel('Status').selectOption({ label: 'Failed' });
    const boxes = page().getByRole('checkbox', { name: /^Select event #/ });
    await boxes.first().waitFor();
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page().getByRole('button', { name: 'Reprocess selected (2)' }).click();

    const dialog = page().getByRole('dialog', { name: 'Reprocess 2 webhook events?' });
    expect(await dialog.getByRole('row').count()).toBe(3);
    await screenshot(page(), '25-webhook-reprocess');
    await dialog.getByRole('button', { name: 'Reprocess 2 webhook events' }).click();

    const result = page().getByRole('dialog', { name: 'Reprocessing requested' });
    await result.getByText(/^2 events are back in the queue: #\d+, #\d+\.$/).waitFor();
    await page().keyboard.press('Escape');
    await result.waitFor({ state: 'detached' });
    await page().getByRole('status').filter({ hasText: '2 of 2 selected events queued again.' }).waitFor();
  });

  it('reprocesses one event from its page', async () => {
    await page().getByLabel('Status').selectOption({ label: 'Processed' });
    await page().locator('tbody tr td a').first().click();
    await page().getByRole('heading', { name: 'Payload' }).waitFor();

    const attempts = page().getByRole('region', { name: 'Attempts' }).getByRole('row');
    const attemptsBefore = await attempts.count();

    await page().getByRole('button', { name: 'Reprocess' }).click();
    await page().getByRole('dialog', { name: 'Reprocess 1 webhook event?' }).getByRole('button', { name: 'Reprocess 1 webhook event' }).click();
    const result = page().getByRole('dialog', { name: 'Reprocessing requested' });
    await result.getByText(/^1 event is back in the queue: #\d+\.$/).waitFor();
    await page().keyboard.press('Escape');
    await result.waitFor({ state: 'detached' });
    await page().getByRole('status').filter({ hasText: 'The event is back in the queue' }).waitFor();
    // The page follows the event through its new run, which joins the attempt history.
    await expect.poll(() => attempts.count(), { timeout: 30_000 }).toBeGreaterThan(attemptsBefore);
  });
});
