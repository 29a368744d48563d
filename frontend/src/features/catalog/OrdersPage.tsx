import { useMemo } from 'react';
import { useSearchParams } from 'react-router';

import type { Order } from '@/api/types';
import { SelectField } from '@/components/fields';
import { RelativeTime } from '@/components/RelativeTime';
import { StatusBadge } from '@/components/StatusBadge';
import { formatMoney, humanize } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';

import { ORDER_STATUSES, useOrders } from '@/features/catalog/api';
import { CatalogHeader } from '@/features/catalog/CatalogHeader';
import { CatalogTable, type Column } from '@/features/catalog/CatalogTable';
import { oneOf, withParam } from '@/features/catalog/search-params';
import { useCatalogScope } from '@/features/catalog/use-catalog-scope';

export function OrdersPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const { tenantId, showTenant } = useCatalogScope();
  const tenantName = useTenantName();
  const filters = { status: oneOf(ORDER_STATUSES, searchParams.get('status')) };
  const orders = useOrders(filters, tenantId);
  const rows = useMemo(() => orders.data?.pages.flatMap((page) => page.items) ?? [], [orders.data]);

  const columns: Column<Order>[] = [
    {
      header: 'Order',
      cell: (order) => (
        <>
          <code>{order.external_ref}</code>
          <span className="table__subtext">#{order.id}</span>
        </>
      ),
    },
    { header: 'Customer', cell: (order) => (order.customer_id === null || order.customer_id === undefined ? 'Guest' : `#${order.customer_id}`) },
    { header: 'Tenant', shown: showTenant, cell: (order) => tenantName(order.tenant_id) },
    { header: 'Amount', numeric: true, cell: (order) => formatMoney(order.amount_minor, order.currency) },
    { header: 'Status', cell: (order) => <StatusBadge status={order.status} /> },
    { header: 'Placed', cell: (order) => <RelativeTime iso={order.created_at} /> },
    { header: 'Paid', cell: (order) => <RelativeTime iso={order.paid_at} /> },
  ];

  return (
    <>
      <CatalogHeader title="Orders" description="Orders as the shops received them, newest first." />
      <div className="filters" role="search" aria-label="Filter orders">
        <SelectField
          label="Status"
          value={filters.status ?? ''}
          onChange={(event) => setSearchParams(withParam(searchParams, 'status', event.target.value), { replace: true })}
          options={[{ value: '', label: 'Any status' }, ...ORDER_STATUSES.map((value) => ({ value, label: humanize(value) }))]}
        />
      </div>
      <CatalogTable pages={orders} rows={rows} columns={columns} noun="orders" filtered={filters.status !== undefined} rowLabel={(order) => `order ${order.external_ref}`} />
    </>
  );
}
