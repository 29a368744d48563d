// A failing export says why; once the cause is removed, a retry (after a confirmation) takes it
// to DONE and the file downloads. The fault is the one tests/api/exports.rs uses: a file where the
// export directory should be, so writing any export file fails until it is taken away.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { openBrowser, screenshot, signIn, type Browser } from './browser';

/** Blocks every export file write; the returned function removes the fault again. */
function blockExportFiles(storageDir: string): () => void {
  const exportsDir = join(storageDir, 'exports');
  const parked = join(storageDir, 'exports.parked');
  mkdirSync(storageDir, { recursive: true });
  if (existsSync(exportsDir)) renameSync(exportsDir, parked);
  writeFileSync(exportsDir, 'in the way');
  return () => {
    rmSync(exportsDir, { force: true });
    if (existsSync(parked)) renameSync(parked, exportsDir);
  };
}

describe('a failed export', () => {
  let browser: Browser;
  const page = () => browser.page;
  let removeFault: (() => void) | undefined;

  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
  });

  afterAll(async () => {
    removeFault?.();
    await browser.close();
  });

  it('is retried until DONE once its cause is removed, then downloads', async () => {
    await page().goto('/exports');
    await signIn(page(), 'admin', inject('adminPassword'));
    await page().getByRole('heading', { name: 'Export jobs', level: 1 }).waitFor();

    removeFault = blockExportFiles(inject('storageDir'));
    await page().getByRole('button', { name: 'New export' }).click();
    const dialog = page().getByRole('dialog', { name: 'New export' });
    await dialog.getByLabel('Dataset').selectOption({ label: 'Customers' });
    await dialog.getByLabel('Tenant').selectOption({ index: 1 });
    await dialog.getByRole('button', { name: 'Start export' }).click();
    const notice = page().getByRole('status').filter({ hasText: /Export #\d+ is queued/ });
    const jobId = /#(\d+)/.exec((await notice.textContent()) ?? '')?.[1];
    expect(jobId).toBeDefined();

    // Every attempt fails; after the last one the row says FAILED, and why.
    const row = page().getByRole('row').filter({ has: page().getByRole('link', { name: `#${jobId}`, exact: true }) });
    await row.getByText('failed', { exact: true }).waitFor({ timeout: 60_000 });
    await row.getByText(/writing the export file failed/).waitFor();
    await screenshot(page(), '14-export-failed');

    removeFault();
    removeFault = undefined;
    await row.getByRole('button', { name: `Retry job #${jobId}` }).click();
    const confirm = page().getByRole('dialog', { name: 'Retry 1 export job?' });
    await confirm.getByText(/writing the export file failed/).waitFor();
    await confirm.getByRole('button', { name: 'Retry 1 export job' }).click();
    const result = page().getByRole('dialog', { name: 'Retry requested' });
    await result.getByText(`1 job is back in the queue: #${jobId}.`).waitFor();
    await result.getByRole('button', { name: 'Close' }).first().click();

    await row.getByText('done', { exact: true }).waitFor({ timeout: 60_000 });
    await screenshot(page(), '15-export-retried');
    const download = page().waitForEvent('download');
    await row.getByRole('button', { name: `Download job #${jobId}` }).click();
    const lines = readFileSync(await (await download).path(), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
  });
});
