import { describe, expect, it } from 'vitest';

import { bulkDraftFromSearch, newBulkJobPath, type BulkTargetDraft } from './bulk-target';

function roundTrip(draft: BulkTargetDraft): BulkTargetDraft | null {
  return bulkDraftFromSearch(new URL(newBulkJobPath(draft), 'http://localhost').searchParams);
}

describe('the new bulk job address', () => {
  it('carries selected ids or a typed filter, and the tenant, there and back', () => {
    const byIds: BulkTargetDraft = { table: 'products', target: { ids: [3, 5, 8] }, tenantId: 2 };
    expect(newBulkJobPath(byIds)).toBe('/bulk-jobs/new?table=products&ids=3%2C5%2C8&tenant_id=2');
    expect(roundTrip(byIds)).toEqual(byIds);

    const byFilter: BulkTargetDraft = { table: 'comments', target: { filter: { status: 'pending', article_id: 9 } }, tenantId: undefined };
    expect(roundTrip(byFilter)).toEqual(byFilter);
    expect(roundTrip({ table: 'articles', target: { filter: {} } })).toEqual({ table: 'articles', target: { filter: {} }, tenantId: undefined });
  });

  it('refuses addresses that describe no target the API would take', () => {
    const parse = (query: string) => bulkDraftFromSearch(new URLSearchParams(query));
    expect(parse('')).toBeNull();
    expect(parse('table=orders&ids=1')).toBeNull();
    expect(parse('table=products')).toBeNull();
    expect(parse('table=products&ids=1,x')).toBeNull();
    expect(parse('table=products&all=1&filter.shop_id=-4')).toBeNull();
    // A filter of another table must not quietly widen the target to every product.
    expect(parse('table=products&all=1&filter.status=draft')).toBeNull();
  });
});
