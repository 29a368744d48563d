import { useEffect, useRef } from 'react';

/**
 * Calls `loadMore` when the returned sentinel element scrolls into view (endless scrolling).
 * The list keeps a visible "Load more" button as well, for keyboards and for browsers without
 * IntersectionObserver.
 */
export function useInfiniteScroll<T extends Element>(loadMore: () => void, enabled: boolean) {
  const sentinel = useRef<T>(null);
  const latestLoadMore = useRef(loadMore);

  useEffect(() => {
    latestLoadMore.current = loadMore;
  }, [loadMore]);

  useEffect(() => {
    const element = sentinel.current;
    if (!enabled || !element || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) latestLoadMore.current();
      },
      // Start loading a screen ahead, so scrolling rarely waits.
      { rootMargin: '0px 0px 600px 0px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [enabled]);

  return sentinel;
}
