import type { ReactNode } from 'react';

import { LoadMoreFooter, type KeysetPages } from '@/components/LoadMoreFooter';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';
import type { Selection } from '@/lib/use-selection';

export interface Column<Row> {
  header: string;
  className?: string;
  cell: (row: Row) => ReactNode;
}

interface CatalogTableProps<Row extends { id: number }> {
  /** The list's infinite query: its state decides between loading, error, empty and the table. */
  pages: KeysetPages & { isPending: boolean; isError: boolean; refetch: () => Promise<unknown> };
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  /** Plural, lower case: "products". */
  noun: string;
  filtered: boolean;
  /** Row checkboxes, when the caller may start bulk jobs on these rows. */
  selection?: Selection | undefined;
  /** Names a row for its checkbox ("product #12 Desk lamp"). */
  rowLabel: (row: Row) => string;
}

/** A catalog list: loading, error and empty states, then the rows with optional checkboxes, then more pages. */
export function CatalogTable<Row extends { id: number }>({ pages, rows, columns, noun, filtered, selection, rowLabel }: CatalogTableProps<Row>) {
  if (pages.isPending) return <LoadingState label={`Loading ${noun}…`} />;
  if (pages.isError && rows.length === 0) {
    return <ErrorState error={pages.error} title={`The ${noun} could not be loaded`} onRetry={() => void pages.refetch()} />;
  }
  if (rows.length === 0) return <EmptyState title={filtered ? `No ${noun} match these filters` : `No ${noun} yet`} />;

  const shownIds = rows.map((row) => row.id);
  const allSelected = selection !== undefined && shownIds.every((id) => selection.selected.has(id));

  return (
    <>
      <div className="table-scroll">
        <table className="table table--interactive">
          <thead>
            <tr>
              {selection && (
                <th scope="col" className="table__check">
                  <input type="checkbox" aria-label={`Select every ${noun.replace(/s$/, '')} shown`} checked={allSelected} onChange={(event) => selection.setAll(shownIds, event.target.checked)} />
                </th>
              )}
              {columns.map((column) => (
                <th key={column.header} scope="col" className={column.className}>
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} className={selection?.selected.has(row.id) ? 'is-selected' : undefined}>
                {selection && (
                  <td className="table__check">
                    <input type="checkbox" aria-label={`Select ${rowLabel(row)}`} checked={selection.selected.has(row.id)} onChange={() => selection.toggle(row.id)} />
                  </td>
                )}
                {columns.map((column) => (
                  <td key={column.header} className={column.className}>
                    {column.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <LoadMoreFooter pages={pages} shown={rows.length} noun={noun} />
    </>
  );
}
