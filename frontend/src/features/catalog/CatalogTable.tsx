import type { Column } from '@/components/DataTable';
import { selectedRowClass, selectionColumn } from '@/components/DataTable';
import { PagedTable, type ListQuery } from '@/components/PagedTable';
import type { Selection } from '@/lib/use-selection';

export type { Column } from '@/components/DataTable';

interface CatalogTableProps<Row extends { id: number }> {
  pages: ListQuery;
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

/** A catalog list, with a checkbox on each row when the caller may start bulk jobs on them. */
export function CatalogTable<Row extends { id: number }>({ pages, rows, columns, noun, filtered, selection, rowLabel }: CatalogTableProps<Row>) {
  const withSelection = selection
    ? [selectionColumn({ rows, selection, allLabel: `Select every ${noun.replace(/s$/, '')} shown`, rowLabel: (row: Row) => `Select ${rowLabel(row)}` }), ...columns]
    : columns;
  return <PagedTable pages={pages} rows={rows} columns={withSelection} noun={noun} filtered={filtered} rowClassName={selectedRowClass(selection)} interactive />;
}
