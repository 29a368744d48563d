import { useInfiniteQuery, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/api/client';
import type { ArticleStatus, CommentStatus, OrderStatus, ProductVisibility } from '@/api/types';
import { CATALOG_QUERY_KEY } from '@/lib/query-keys';

export const PRODUCT_VISIBILITIES: ProductVisibility[] = ['visible', 'hidden'];
export const ARTICLE_STATUSES: ArticleStatus[] = ['draft', 'published', 'archived'];
export const COMMENT_STATUSES: CommentStatus[] = ['pending', 'approved', 'removed'];
export const ORDER_STATUSES: OrderStatus[] = ['pending', 'paid', 'refunded', 'cancelled'];

const PAGE_SIZE = 50;

export interface ProductFilters {
  shop_id?: number | undefined;
  visibility?: ProductVisibility | undefined;
}

export interface ArticleFilters {
  status?: ArticleStatus | undefined;
}

export interface CommentFilters {
  status?: CommentStatus | undefined;
  article_id?: number | undefined;
}

export interface OrderFilters {
  status?: OrderStatus | undefined;
}

export interface CustomerFilters {
  churned?: boolean | undefined;
}

const keysetPaging = {
  initialPageParam: undefined as string | undefined,
  getNextPageParam: (page: { next_cursor?: string | null }) => page.next_cursor ?? undefined,
};

export function useProducts(filters: ProductFilters, tenantId: number | undefined) {
  return useInfiniteQuery({
    queryKey: [...CATALOG_QUERY_KEY, 'products', filters, tenantId],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/products', { params: { query: { ...filters, tenant_id: tenantId, limit: PAGE_SIZE, cursor: pageParam } } })),
    ...keysetPaging,
  });
}

export function useArticles(filters: ArticleFilters, tenantId: number | undefined) {
  return useInfiniteQuery({
    queryKey: [...CATALOG_QUERY_KEY, 'articles', filters, tenantId],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/articles', { params: { query: { ...filters, tenant_id: tenantId, limit: PAGE_SIZE, cursor: pageParam } } })),
    ...keysetPaging,
  });
}

export function useArticle(id: number) {
  return useQuery({
    queryKey: [...CATALOG_QUERY_KEY, 'article', id],
    queryFn: () => unwrap(api.GET('/api/v1/articles/{id}', { params: { path: { id } } })),
    enabled: Number.isInteger(id) && id > 0,
  });
}

export function useComments(filters: CommentFilters, tenantId: number | undefined) {
  return useInfiniteQuery({
    queryKey: [...CATALOG_QUERY_KEY, 'comments', filters, tenantId],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/comments', { params: { query: { ...filters, tenant_id: tenantId, limit: PAGE_SIZE, cursor: pageParam } } })),
    ...keysetPaging,
  });
}

export function useOrders(filters: OrderFilters, tenantId: number | undefined) {
  return useInfiniteQuery({
    queryKey: [...CATALOG_QUERY_KEY, 'orders', filters, tenantId],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/orders', { params: { query: { ...filters, tenant_id: tenantId, limit: PAGE_SIZE, cursor: pageParam } } })),
    ...keysetPaging,
  });
}

export function useCustomers(filters: CustomerFilters, tenantId: number | undefined) {
  return useInfiniteQuery({
    queryKey: [...CATALOG_QUERY_KEY, 'customers', filters, tenantId],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/customers', { params: { query: { ...filters, tenant_id: tenantId, limit: PAGE_SIZE, cursor: pageParam } } })),
    ...keysetPaging,
  });
}

/** Most shops one list shows; the shop filter offers the newest ones. */
const SHOPS_IN_FILTER = 500;

/** Shops, for the product filter and for readable shop names. */
export function useShops(tenantId: number | undefined) {
  return useQuery({
    queryKey: [...CATALOG_QUERY_KEY, 'shops', tenantId],
    queryFn: () => unwrap(api.GET('/api/v1/shops', { params: { query: { tenant_id: tenantId, limit: SHOPS_IN_FILTER } } })),
    select: (page) => page.items,
    staleTime: 5 * 60_000,
  });
}
