import { useCallback, useMemo, useState } from 'react';

export interface Selection {
  selected: ReadonlySet<number>;
  toggle: (id: number) => void;
  /** Selects (`on`) or clears every id given, e.g. every row shown. */
  setAll: (ids: readonly number[], on: boolean) => void;
  clear: () => void;
}

/** Row checkboxes of a list: a set of ids. */
export function useSelection(): Selection {
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());

  const toggle = useCallback((id: number) => {
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }, []);

  const setAll = useCallback((ids: readonly number[], on: boolean) => {
    setSelected((current) => {
      const next = new Set(current);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  }, []);

  const clear = useCallback(() => setSelected(new Set()), []);

  return useMemo(() => ({ selected, toggle, setAll, clear }), [selected, toggle, setAll, clear]);
}

/** The selected ids among the rows on screen, in their order. */
export function selectedShown(rows: readonly { id: number }[], selection: Selection): number[] {
  return rows.filter((row) => selection.selected.has(row.id)).map((row) => row.id);
}
