import type { Key, ReactNode } from 'react';

import type { Selection } from '@/lib/use-selection';

import { EmptyState } from './states';

export interface Column<Row> {
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** Right-aligned figures (header and cells). */
  numeric?: boolean;
  headerClassName?: string;
  /** E.g. `truncate` with `cellTitle`, `nowrap`. */
  cellClassName?: string;
  /** The full text of a truncated cell, shown on hover. */
  cellTitle?: (row: Row) => string | undefined;
  /** False hides the column (e.g. Tenant for a caller who sees one tenant). */
  shown?: boolean;
}

interface DataTableProps<Row> {
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  rowKey: (row: Row) => Key;
  /** What an empty list says ("No failed exports"); the table is not drawn then. */
  empty: ReactNode;
  /** Names the table for screen readers. */
  caption?: string;
  rowClassName?: (row: Row) => string | undefined;
  /** Rows that react to hover (lists whose rows are selected or opened). */
  interactive?: boolean;
  /** After the table, inside its scroll box: "20 of 45 shown", a footer. */
  footer?: ReactNode;
  /** A table inside a dialog scrolls within a shorter box. */
  short?: boolean;
}

function classes(...names: (string | false | undefined)[]): string | undefined {
  const joined = names.filter(Boolean).join(' ');
  return joined === '' ? undefined : joined;
}

/** Every table of the console: one header row, one row per item, and its empty state. */
export function DataTable<Row>({ rows, columns, rowKey, empty, caption, rowClassName, interactive = false, footer, short = false }: DataTableProps<Row>) {
  if (rows.length === 0) return typeof empty === 'string' ? <EmptyState title={empty} /> : <>{empty}</>;
  const shown = columns.filter((column) => column.shown !== false);
  return (
    <div className={classes('table-scroll', short && 'table-scroll--short')}>
      <table className={classes('table', interactive && 'table--interactive')}>
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            {shown.map((column, index) => (
              <th key={index} scope="col" className={classes(column.numeric && 'numeric', column.headerClassName)}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} className={rowClassName?.(row)}>
              {shown.map((column, index) => (
                <td key={index} className={classes(column.numeric && 'numeric', column.cellClassName)} title={column.cellTitle?.(row)}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {footer}
    </div>
  );
}

interface SelectionColumnOptions<Row> {
  rows: readonly Row[];
  selection: Selection;
  /** Rows that may be selected (e.g. only failed jobs can be retried); every row by default. */
  selectable?: (row: Row) => boolean;
  /** "Select every failed job shown". */
  allLabel: string;
  /** "Select job #12". */
  rowLabel: (row: Row) => string;
}

/** Row checkboxes feeding `selection`, with a header box that selects every selectable row shown. */
export function selectionColumn<Row extends { id: number }>({ rows, selection, selectable = () => true, allLabel, rowLabel }: SelectionColumnOptions<Row>): Column<Row> {
  const selectableIds = rows.filter(selectable).map((row) => row.id);
  const allSelected = selectableIds.length > 0 && selectableIds.every((id) => selection.selected.has(id));
  return {
    header: (
      <input
        type="checkbox"
        aria-label={allLabel}
        checked={allSelected}
        disabled={selectableIds.length === 0}
        onChange={(event) => selection.setAll(selectableIds, event.target.checked)}
      />
    ),
    headerClassName: 'table__check',
    cellClassName: 'table__check',
    cell: (row) =>
      selectable(row) && <input type="checkbox" aria-label={rowLabel(row)} checked={selection.selected.has(row.id)} onChange={() => selection.toggle(row.id)} />,
  };
}

/** Marks the selected rows of a table with row checkboxes. */
export function selectedRowClass(selection: Selection | undefined) {
  return (row: { id: number }) => (selection?.selected.has(row.id) ? 'is-selected' : undefined);
}
