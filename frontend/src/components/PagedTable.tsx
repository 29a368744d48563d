import type { ReactNode } from 'react';

import { DataTable, type Column } from './DataTable';
import { LoadMoreFooter, type KeysetPages } from './LoadMoreFooter';
import { EmptyState, ErrorState, LoadingState } from './states';

/** A list's infinite query: its state decides between loading, error, empty and the table. */
export type ListQuery = KeysetPages & { isPending: boolean; isError: boolean; refetch: () => Promise<unknown> };

interface PagedTableProps<Row extends { id: number }> {
  pages: ListQuery;
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  /** Plural, lower case: "products". */
  noun: string;
  /** Filters are applied: an empty list says nothing matches them rather than that there is nothing. */
  filtered: boolean;
  /** What to do about an empty, unfiltered list ("Start one with “New export”."). */
  emptyHint?: ReactNode;
  rowClassName?: (row: Row) => string | undefined;
  interactive?: boolean;
}

/** A keyset-paged list: loading, error and empty states, then the rows, then more pages as they scroll into view. */
export function PagedTable<Row extends { id: number }>({ pages, rows, columns, noun, filtered, emptyHint, rowClassName, interactive }: PagedTableProps<Row>) {
  if (pages.isPending) return <LoadingState label={`Loading ${noun}…`} />;
  if (pages.isError && rows.length === 0) {
    return <ErrorState error={pages.error} title={`The ${noun} could not be loaded`} onRetry={() => void pages.refetch()} />;
  }
  return (
    <>
      <DataTable
        rows={rows}
        columns={columns}
        rowKey={(row) => row.id}
        empty={filtered ? `No ${noun} match these filters` : <EmptyState title={`No ${noun} yet`}>{emptyHint}</EmptyState>}
        rowClassName={rowClassName}
        interactive={interactive}
      />
      {rows.length > 0 && <LoadMoreFooter pages={pages} shown={rows.length} noun={noun} />}
    </>
  );
}
