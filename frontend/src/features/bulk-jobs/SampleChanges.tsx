import type { SampleRow } from '@/api/types';
import { formatDateTime, formatMoney, humanize } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';

type Row = Record<string, unknown>;

const FIELD_LABELS: Record<string, string> = { price_minor: 'Price', published_at: 'Published' };

/** A field's value as a reader expects it: money in its currency, instants as dates. */
function formatField(field: string, value: unknown, row: Row): string {
  if (value === null || value === undefined) return '—';
  if (field === 'price_minor' && typeof value === 'number') return formatMoney(value, typeof row.currency === 'string' ? row.currency : 'EUR');
  if (field.endsWith('_at') && typeof value === 'string') return formatDateTime(value);
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** What the row is called: a product's name, an article's title, a comment's author. */
function rowName(row: Row): string {
  for (const field of ['name', 'title']) {
    if (typeof row[field] === 'string') return row[field];
  }
  return typeof row.author_name === 'string' ? `Comment by ${row.author_name}` : '';
}

function changedFields(before: Row, after: Row): string[] {
  return Object.keys(after).filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}

/** The preview's sample: each row before -> after, or why it cannot take the change. */
export function SampleChanges({ sample, showTenant }: { sample: readonly SampleRow[]; showTenant: boolean }) {
  const tenantName = useTenantName();
  return (
    <div className="table-scroll table-scroll--short">
      <table className="table">
        <caption className="visually-hidden">Sample of the rows, before and after</caption>
        <thead>
          <tr>
            <th scope="col">Row</th>
            {showTenant && <th scope="col">Tenant</th>}
            <th scope="col">Before → after</th>
          </tr>
        </thead>
        <tbody>
          {sample.map((row) => {
            const before = row.before;
            const after = row.after ?? null;
            const fields = after ? changedFields(before, after) : [];
            return (
              <tr key={row.id}>
                <td>
                  {rowName(before)}
                  <span className="table__subtext">#{row.id}</span>
                </td>
                {showTenant && <td>{tenantName(row.tenant_id)}</td>}
                <td>
                  {!after ? (
                    <span className="text-danger">Cannot change: {row.error ?? 'no reason given'}</span>
                  ) : fields.length === 0 ? (
                    <span className="muted">Already so: left unchanged</span>
                  ) : (
                    <ul className="change-list">
                      {fields.map((field) => (
                        <li key={field}>
                          <span className="change-list__field">{FIELD_LABELS[field] ?? humanize(field)}</span>{' '}
                          <del>{formatField(field, before[field], before)}</del> → <ins>{formatField(field, after[field], after)}</ins>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
