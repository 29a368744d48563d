// Query keys more than one feature touches. Each feature owns its own keys otherwise.

/**
 * Catalog rows (products, articles, comments…). The catalog feature reads them; a finished bulk
 * job changed some, so the bulk-jobs feature marks them stale under this root.
 */
export const CATALOG_QUERY_KEY = ['catalog'] as const;
