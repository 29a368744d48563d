/** Rows per dashboard table: enough to see what is wrong, few enough to see every widget. */
export const DASHBOARD_ROWS = 8;

/** "8 of 20 shown": the full list is one click away, in the panel's header link. */
export function ShownOf({ shown, total }: { shown: number; total: number }) {
  if (total <= shown) return null;
  return (
    <p className="panel__more muted small">
      {shown} of {total} shown
    </p>
  );
}
