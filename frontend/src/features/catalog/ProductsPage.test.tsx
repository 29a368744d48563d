import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { json, mockApi, problem, type MockRoutes } from '@/test/api-mock';
import { partnerMe, product, staffMe, tenants } from '@/test/fixtures';
import { renderWithApp, signInForTest } from '@/test/render';

import { ProductsPage } from '@/features/catalog/ProductsPage';

const lamp = product({ id: 11, name: 'Desk lamp', price_minor: 2_999 });
const clock = product({ id: 12, name: 'Wall clock', price_minor: 1_995, visibility: 'hidden', tenant_id: 2 });
const chair = product({ id: 13, name: 'Office chair', price_minor: 14_900 });

function setup(route = '/catalog/products', routes: MockRoutes = {}, me = staffMe) {
  signInForTest();
  const mock = mockApi({
    'GET /api/v1/me': me,
    'GET /api/v1/tenants': { items: tenants, next_cursor: null },
    'GET /api/v1/shops': { items: [{ id: 3, tenant_id: 1, name: 'Acme Home', domain: 'home.acme.test', created_at: '2026-01-01T00:00:00Z' }], next_cursor: null },
    'GET /api/v1/products': (call) => (call.query.get('cursor') === 'p2' ? json({ items: [chair], next_cursor: null }) : json({ items: [lamp, clock], next_cursor: 'p2' })),
    ...routes,
  });
  return { ...renderWithApp(<ProductsPage />, { route }), mock };
}

describe('ProductsPage', () => {
  it('lists products with their price in their currency, shop and tenant, and loads the next keyset page', async () => {
    const { user, mock } = setup();

    const lampRow = (await screen.findByText('Desk lamp')).closest('tr');
    expect(lampRow).toHaveTextContent('€29.99');
    expect(lampRow).toHaveTextContent('Acme Home');
    await vi.waitFor(() => expect(lampRow).toHaveTextContent('Acme Corporation'));
    await user.click(screen.getByRole('button', { name: 'Load more' }));

    expect(await screen.findByText('Office chair')).toBeInTheDocument();
    expect(screen.getByText('All 3 products shown')).toBeInTheDocument();
    expect(mock.callsTo('GET', '/api/v1/products').map((call) => call.query.get('cursor'))).toEqual([null, 'p2']);
  });

  it('keeps filters in the address and asks the API for them', async () => {
    const { user, mock } = setup();
    await screen.findByText('Desk lamp');

    await user.selectOptions(screen.getByLabelText('Visibility'), 'Hidden');
    await user.selectOptions(screen.getByLabelText('Shop'), 'Acme Home (Acme Corporation)');

    await vi.waitFor(() => {
      const query = mock.callsTo('GET', '/api/v1/products').at(-1)?.query;
      expect(query?.get('visibility')).toBe('hidden');
      expect(query?.get('shop_id')).toBe('3');
    });
  });

  it('hands the selected rows, or the current filter, to a new bulk job', async () => {
    const { user } = setup('/catalog/products?visibility=visible');
    await screen.findByText('Desk lamp');
    const bar = screen.getByRole('toolbar', { name: 'Bulk changes to products' });
    expect(within(bar).getByRole('button', { name: 'Change selected…' })).toBeDisabled();

    await user.click(screen.getByRole('checkbox', { name: 'Select product #12 Wall clock' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select product #11 Desk lamp' }));

    expect(within(bar).getByText('2 selected')).toBeInTheDocument();
    expect(within(bar).getByRole('link', { name: 'Change selected (2)…' })).toHaveAttribute('href', '/bulk-jobs/new?table=products&ids=11%2C12');
    expect(within(bar).getByRole('link', { name: 'Change all matching products…' })).toHaveAttribute('href', '/bulk-jobs/new?table=products&all=1&filter.visibility=visible');

    await user.click(within(bar).getByRole('button', { name: 'Clear selection' }));
    expect(within(bar).getByText('No products selected')).toBeInTheDocument();
  });

  it('selects every product shown with one checkbox', async () => {
    const { user } = setup();
    await screen.findByText('Desk lamp');

    await user.click(screen.getByRole('checkbox', { name: 'Select every product shown' }));

    expect(screen.getByRole('link', { name: 'Change selected (2)…' })).toBeInTheDocument();
  });

  it('shows partners their tenant’s rows without a tenant column, and viewers no bulk controls', async () => {
    setup('/catalog/products', {}, { ...partnerMe, permissions: partnerMe.permissions.filter((permission) => permission !== 'bulk:run') });

    await screen.findByText('Desk lamp');
    expect(screen.queryByRole('columnheader', { name: 'Tenant' })).not.toBeInTheDocument();
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
    expect(screen.queryByRole('toolbar')).not.toBeInTheDocument();
  });

  it('shows the problem detail when the list cannot be read', async () => {
    setup('/catalog/products', { 'GET /api/v1/products': problem(422, 'invalid_query', 'unknown visibility "blue"') });

    expect(await screen.findByRole('alert')).toHaveTextContent('unknown visibility "blue"');
    expect(screen.getByRole('alert')).toHaveTextContent('req-test-0001');
  });
});
