import { formatDateTime, formatRelative } from '@/lib/format';

/** "5 minutes ago", with the exact time on hover and for assistive technology. */
export function RelativeTime({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span className="muted">—</span>;
  const exact = formatDateTime(iso, true);
  return (
    <time dateTime={iso} title={exact}>
      {formatRelative(iso)}
    </time>
  );
}
