import { useMemo } from 'react';
import { useSearchParams } from 'react-router';

import type { Customer } from '@/api/types';
import { SelectField } from '@/components/fields';
import { RelativeTime } from '@/components/RelativeTime';
import { useTenantName } from '@/lib/tenants';

import { useCustomers } from '@/features/catalog/api';
import { CatalogHeader } from '@/features/catalog/CatalogHeader';
import { CatalogTable, type Column } from '@/features/catalog/CatalogTable';
import { oneOf, withParam } from '@/features/catalog/search-params';
import { useCatalogScope } from '@/features/catalog/use-catalog-scope';

const CHURN_STATES = ['active', 'churned'] as const;

export function CustomersPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const { tenantId, showTenant } = useCatalogScope();
  const tenantName = useTenantName();
  const churnState = oneOf(CHURN_STATES, searchParams.get('state'));
  const customers = useCustomers({ churned: churnState === undefined ? undefined : churnState === 'churned' }, tenantId);
  const rows = useMemo(() => customers.data?.pages.flatMap((page) => page.items) ?? [], [customers.data]);

  const columns: Column<Customer>[] = [
    {
      header: 'Customer',
      cell: (customer) => (
        <>
          {customer.name}
          <span className="table__subtext">{customer.email}</span>
        </>
      ),
    },
    { header: 'Reference', cell: (customer) => <code>{customer.external_ref}</code> },
    { header: 'Tenant', shown: showTenant, cell: (customer) => tenantName(customer.tenant_id) },
    { header: 'Signed up', cell: (customer) => <RelativeTime iso={customer.signed_up_at} /> },
    { header: 'Last seen', cell: (customer) => <RelativeTime iso={customer.last_seen_at} /> },
    { header: 'Churned', cell: (customer) => <RelativeTime iso={customer.churned_at} /> },
  ];

  return (
    <>
      <CatalogHeader title="Customers" description="The shops’ customers, newest first." />
      <div className="filters" role="search" aria-label="Filter customers">
        <SelectField
          label="State"
          value={churnState ?? ''}
          onChange={(event) => setSearchParams(withParam(searchParams, 'state', event.target.value), { replace: true })}
          options={[
            { value: '', label: 'Active and churned' },
            { value: 'active', label: 'Active' },
            { value: 'churned', label: 'Churned' },
          ]}
        />
      </div>
      <CatalogTable pages={customers} rows={rows} columns={columns} noun="customers" filtered={churnState !== undefined} rowLabel={(customer) => `customer ${customer.name}`} />
    </>
  );
}
