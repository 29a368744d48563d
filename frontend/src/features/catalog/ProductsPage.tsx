import { useMemo } from 'react';
import { useSearchParams } from 'react-router';

import type { Product } from '@/api/types';
import { SelectField } from '@/components/fields';
import { RelativeTime } from '@/components/RelativeTime';
import { StatusBadge } from '@/components/StatusBadge';
import { formatMoney, humanize } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';
import { selectedShown, useSelection } from '@/lib/use-selection';

import { PRODUCT_VISIBILITIES, useProducts, useShops } from '@/features/catalog/api';
import { BulkActionsBar } from '@/features/catalog/BulkActionsBar';
import { CatalogHeader } from '@/features/catalog/CatalogHeader';
import { CatalogTable, type Column } from '@/features/catalog/CatalogTable';
import { definedFilters, oneOf, positiveIdParam, withParam } from '@/features/catalog/search-params';
import { useCatalogScope } from '@/features/catalog/use-catalog-scope';

export function ProductsPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const { tenantId, showTenant, canStartBulkJobs } = useCatalogScope();
  const tenantName = useTenantName();
  const filters = { visibility: oneOf(PRODUCT_VISIBILITIES, searchParams.get('visibility')), shop_id: positiveIdParam(searchParams, 'shop_id') };
  const products = useProducts(filters, tenantId);
  const shops = useShops(tenantId);
  const rows = useMemo(() => products.data?.pages.flatMap((page) => page.items) ?? [], [products.data]);
  const selection = useSelection();

  const shopName = (shopId: number) => shops.data?.find((shop) => shop.id === shopId)?.name ?? `Shop #${shopId}`;

  function setFilter(name: string, value: string) {
    setSearchParams(withParam(searchParams, name, value), { replace: true });
    selection.clear();
  }

  const columns: Column<Product>[] = [
    {
      header: 'Product',
      cell: (product) => (
        <>
          {product.name}
          <span className="table__subtext">
            #{product.id} · {product.sku}
          </span>
        </>
      ),
    },
    { header: 'Shop', cell: (product) => shopName(product.shop_id) },
    { header: 'Tenant', shown: showTenant, cell: (product) => tenantName(product.tenant_id) },
    { header: 'Price', numeric: true, cell: (product) => formatMoney(product.price_minor, product.currency) },
    { header: 'Visibility', cell: (product) => <StatusBadge status={product.visibility} /> },
    { header: 'Updated', cell: (product) => <RelativeTime iso={product.updated_at} /> },
  ];

  return (
    <>
      <CatalogHeader title="Products" description="Every product of the shops in view, newest first. Prices are changed with a bulk job, previewed first." />
      <div className="filters" role="search" aria-label="Filter products">
        <SelectField
          label="Visibility"
          value={filters.visibility ?? ''}
          onChange={(event) => setFilter('visibility', event.target.value)}
          options={[{ value: '', label: 'Any visibility' }, ...PRODUCT_VISIBILITIES.map((value) => ({ value, label: humanize(value) }))]}
        />
        <SelectField
          label="Shop"
          value={filters.shop_id === undefined ? '' : String(filters.shop_id)}
          disabled={shops.isPending}
          onChange={(event) => setFilter('shop_id', event.target.value)}
          options={[
            { value: '', label: 'Any shop' },
            ...(shops.data ?? []).map((shop) => ({ value: String(shop.id), label: showTenant ? `${shop.name} (${tenantName(shop.tenant_id)})` : shop.name })),
          ]}
        />
      </div>
      {canStartBulkJobs && <BulkActionsBar table="products" noun="products" selectedIds={selectedShown(rows, selection)} onClearSelection={selection.clear} filter={definedFilters(filters)} tenantId={tenantId} />}
      <CatalogTable
        pages={products}
        rows={rows}
        columns={columns}
        noun="products"
        filtered={filters.visibility !== undefined || filters.shop_id !== undefined}
        selection={canStartBulkJobs ? selection : undefined}
        rowLabel={(product) => `product #${product.id} ${product.name}`}
      />
    </>
  );
}
