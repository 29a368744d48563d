import type { BulkTable } from '@/lib/bulk-target';
import { formatNumber, humanize } from '@/lib/format';

const SINGULAR: Record<BulkTable, string> = { products: 'product', articles: 'article', comments: 'comment' };
const IDS_SHOWN = 8;

function noun(table: BulkTable | undefined, count: number): string {
  if (!table) return count === 1 ? 'row' : 'rows';
  return count === 1 ? SINGULAR[table] : table;
}

function describeFilterValue(field: string, value: unknown): string {
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
  return field.endsWith('_id') ? `${humanize(field.replace(/_id$/, ''))} #${text}` : `${humanize(field)}: ${text}`;
}

function idList(ids: readonly number[]): string {
  const shown = ids.slice(0, IDS_SHOWN).map((id) => `#${id}`).join(', ');
  return ids.length > IDS_SHOWN ? `${shown} and ${formatNumber(ids.length - IDS_SHOWN)} more` : shown;
}

/**
 * A bulk target in words, for a draft or a job as confirmed (`{ids}` or `{filter}`):
 * "3 selected products (#4, #9, #12)", "Every article with Status: draft".
 */
export function describeTarget(table: BulkTable | undefined, target: Readonly<Record<string, unknown>>): string {
  const { ids, filter } = target;
  if (Array.isArray(ids)) {
    const numbers = ids.filter((id): id is number => typeof id === 'number');
    return `${formatNumber(numbers.length)} selected ${noun(table, numbers.length)} (${idList(numbers)})`;
  }
  if (typeof filter === 'object' && filter !== null) {
    const conditions = Object.entries(filter).map(([field, value]) => describeFilterValue(field, value));
    const every = `Every ${noun(table, 1)}`;
    return conditions.length === 0 ? `${every}, without a filter` : `${every} with ${conditions.join(', ')}`;
  }
  return 'Unknown target';
}
