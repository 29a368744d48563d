// The address of the "new bulk job" screen, which is how the catalog lists hand their selection
// or their current filter to the bulk-jobs feature (features never import each other): both
// sides build and read it here, so the address is the one contract between them.

export type BulkTable = 'products' | 'articles' | 'comments';

export const BULK_TABLES: readonly BulkTable[] = ['products', 'articles', 'comments'];

/** The filters the API accepts per table, and whether each value is a number or a word. */
export const BULK_FILTER_FIELDS: Record<BulkTable, Record<string, 'number' | 'text'>> = {
  products: { shop_id: 'number', visibility: 'text' },
  articles: { status: 'text' },
  comments: { status: 'text', article_id: 'number' },
};

export type BulkFilter = Record<string, string | number>;

export interface BulkTargetDraft {
  table: BulkTable;
  /** Explicit rows, or every row matching a filter (`{}`: every row in scope) when the job is confirmed. */
  target: { ids: number[] } | { filter: BulkFilter };
  /** Staff narrowed to one tenant; otherwise the caller's whole scope. */
  tenantId?: number | undefined;
}

export const NEW_BULK_JOB_PATH = '/bulk-jobs/new';

const FILTER_PREFIX = 'filter.';

/** `/bulk-jobs/new?table=products&ids=3,5` or `…&filter.visibility=hidden&tenant_id=2`. */
export function newBulkJobPath({ table, target, tenantId }: BulkTargetDraft): string {
  const params = new URLSearchParams({ table });
  if ('ids' in target) {
    params.set('ids', target.ids.join(','));
  } else {
    params.set('all', '1');
    for (const [name, value] of Object.entries(target.filter)) params.set(`${FILTER_PREFIX}${name}`, String(value));
  }
  if (tenantId !== undefined) params.set('tenant_id', String(tenantId));
  return `${NEW_BULK_JOB_PATH}?${params.toString()}`;
}

function positiveInteger(text: string | null): number | undefined {
  const value = Number(text);
  return text !== null && text.trim() !== '' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** The draft an address describes, or `null` when it describes none (a hand-edited address). */
export function bulkDraftFromSearch(params: URLSearchParams): BulkTargetDraft | null {
  const table = BULK_TABLES.find((name) => name === params.get('table'));
  if (!table) return null;
  const tenantId = positiveInteger(params.get('tenant_id'));
  const idsParam = params.get('ids');
  if (idsParam !== null) {
    const ids = idsParam.split(',').map((id) => positiveInteger(id));
    if (ids.length === 0 || ids.some((id) => id === undefined)) return null;
    return { table, target: { ids: ids.filter((id): id is number => id !== undefined) }, tenantId };
  }
  if (params.get('all') !== '1') return null;
  const fields = BULK_FILTER_FIELDS[table];
  // A filter the table does not know must not quietly widen the target to every row.
  if ([...params.keys()].some((name) => name.startsWith(FILTER_PREFIX) && !(name.slice(FILTER_PREFIX.length) in fields))) return null;
  const filter: BulkFilter = {};
  for (const [name, kind] of Object.entries(fields)) {
    const text = params.get(`${FILTER_PREFIX}${name}`);
    if (text === null || text === '') continue;
    const value = kind === 'number' ? positiveInteger(text) : text;
    if (value === undefined) return null;
    filter[name] = value;
  }
  return { table, target: { filter }, tenantId };
}
