import { useCallback } from 'react';

import { formatNumber } from '@/lib/format';
import { useInfiniteScroll } from '@/lib/use-infinite-scroll';

import { Button } from './Button';
import { ErrorState } from './states';

/** What a TanStack infinite query tells the footer of its list. */
export interface KeysetPages {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  /** A page after the first failed (the first page's failure is the list's own error state). */
  isFetchNextPageError: boolean;
  error: unknown;
  fetchNextPage: () => Promise<unknown>;
}

/**
 * The end of a keyset-paged list: loads the next page when it scrolls into view, with a visible
 * "Load more" button for keyboards, and says when the end is reached.
 */
export function LoadMoreFooter({ pages, shown, noun }: { pages: KeysetPages; shown: number; noun: string }) {
  const { hasNextPage, isFetchingNextPage, isFetchNextPageError, error, fetchNextPage } = pages;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const sentinel = useInfiniteScroll<HTMLDivElement>(loadMore, hasNextPage && !isFetchingNextPage && !isFetchNextPageError);

  return (
    <div ref={sentinel} className="list-footer">
      {isFetchNextPageError ? (
        <ErrorState error={error} title={`More ${noun} could not be loaded`} onRetry={loadMore} />
      ) : hasNextPage ? (
        <Button onClick={loadMore} busy={isFetchingNextPage}>
          Load more
        </Button>
      ) : (
        <span className="muted small">
          All {formatNumber(shown)} {noun} shown
        </span>
      )}
    </div>
  );
}
