import { screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { describe, expect, it } from 'vitest';

import { json, mockApi, problem, type MockRoutes } from '@/test/api-mock';
import { bulkJob, bulkPreview, staffMe, tenants } from '@/test/fixtures';
import { renderWithApp, signInForTest } from '@/test/render';

import { NewBulkJobPage } from '@/features/bulk-jobs/NewBulkJobPage';

function setup(route: string, routes: MockRoutes = {}) {
  signInForTest();
  const mock = mockApi({
    'GET /api/v1/me': staffMe,
    'GET /api/v1/tenants': { items: tenants, next_cursor: null },
    'POST /api/v1/bulk-jobs/preview': bulkPreview(),
    'POST /api/v1/bulk-jobs': () => json(bulkJob({ id: 77, status: 'PENDING', processed: 0, succeeded: 0, percent: 0 }), 202),
    ...routes,
  });
  const view = renderWithApp(
    <Routes>
      <Route path="/bulk-jobs/new" element={<NewBulkJobPage />} />
      <Route path="/bulk-jobs/:id" element={<p>Progress page</p>} />
    </Routes>,
    { route },
  );
  return { ...view, mock };
}

describe('NewBulkJobPage', () => {
  it('previews a 10% discount on the selected products, before -> after, then starts it with the token', async () => {
    const { user, mock } = setup('/bulk-jobs/new?table=products&ids=11,12&tenant_id=1');

    expect(await screen.findByText('2 selected products (#11, #12)')).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'Change prices' })).toBeChecked();
    await user.type(screen.getByLabelText('By percent'), '10');
    await user.click(screen.getByRole('button', { name: 'Preview the change' }));

    const dialog = await screen.findByRole('dialog', { name: 'Lower prices by 10%: 2 products?' });
    expect(mock.callsTo('POST', '/api/v1/bulk-jobs/preview')[0]?.body).toEqual({
      action: 'product.price_change',
      params: { percent: -10 },
      target: { ids: [11, 12] },
      tenant_id: 1,
    });
    const rows = within(dialog).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('Desk lamp#11Price €29.99 → €26.99');
    expect(rows[1]).toHaveTextContent('Wall clock#12Price €19.95 → €17.96');
    expect(mock.callsTo('POST', '/api/v1/bulk-jobs')).toHaveLength(0);

    await user.click(within(dialog).getByRole('button', { name: 'Start: lower prices by 10% on 2 products' }));

    expect(await screen.findByText('Progress page')).toBeInTheDocument();
    expect(mock.callsTo('POST', '/api/v1/bulk-jobs')[0]?.body).toEqual({
      action: 'product.price_change',
      params: { percent: -10 },
      target: { ids: [11, 12] },
      tenant_id: 1,
      confirmation_token: 'token-1',
    });
  });

  it('targets the current filter, and warns about ids outside the caller’s scope', async () => {
    const { user, mock } = setup('/bulk-jobs/new?table=articles&all=1&filter.status=draft', {
      'POST /api/v1/bulk-jobs/preview': bulkPreview({ action: 'article.publish', params: {}, total: 0, sample: [], foreign_ids: [] }),
    });

    expect(await screen.findByText('Every article with Status: draft')).toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'Unpublish' }));
    await user.click(screen.getByRole('radio', { name: 'Publish' }));
    await user.click(screen.getByRole('button', { name: 'Preview the change' }));

    const dialog = await screen.findByRole('dialog', { name: 'Publish articles: 0 articles?' });
    expect(within(dialog).getByText('Nothing to change')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: /^Start/ })).toBeDisabled();
    expect(mock.callsTo('POST', '/api/v1/bulk-jobs/preview')[0]?.body).toEqual({ action: 'article.publish', params: {}, target: { filter: { status: 'draft' } } });
  });

  it('lists the ids that will be left alone', async () => {
    const { user } = setup('/bulk-jobs/new?table=products&ids=11,12,99', {
      'POST /api/v1/bulk-jobs/preview': bulkPreview({ foreign_ids: [99] }),
    });

    await user.click(await screen.findByRole('radio', { name: 'Show or hide' }));
    await user.click(screen.getByRole('button', { name: 'Preview the change' }));

    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('status')).toHaveTextContent('1 of the chosen ids are not yours to change (or no longer exist) and will be left alone: #99');
  });

  it('checks the percentage before asking, and shows the server’s refusal next to the field', async () => {
    const { user, mock } = setup('/bulk-jobs/new?table=products&ids=11', {
      'POST /api/v1/bulk-jobs/preview': () =>
        json(
          {
            type: 'urn:opsdeck:problem:invalid',
            title: 'Invalid',
            status: 422,
            detail: 'the request is invalid',
            code: 'invalid',
            request_id: 'req-9',
            errors: [{ field: 'params.percent', message: 'a number from -100 to 1000' }],
          },
          422,
        ),
    });

    await user.type(await screen.findByLabelText('By percent'), '150');
    await user.click(screen.getByRole('button', { name: 'Preview the change' }));
    expect(screen.getByText('A price cannot go below zero: at most 100%')).toBeInTheDocument();
    expect(mock.callsTo('POST', '/api/v1/bulk-jobs/preview')).toHaveLength(0);

    await user.selectOptions(screen.getByLabelText('Direction'), 'Raise prices');
    await user.click(screen.getByRole('button', { name: 'Preview the change' }));

    expect(await screen.findByText('a number from -100 to 1000')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('req-9');
  });

  it('shows a failed start’s problem detail in the dialog', async () => {
    const { user } = setup('/bulk-jobs/new?table=products&ids=11,12', {
      'POST /api/v1/bulk-jobs': problem(422, 'confirmation_token_expired', 'the confirmation token expired; preview again'),
    });
    await user.type(await screen.findByLabelText('By percent'), '10');
    await user.click(screen.getByRole('button', { name: 'Preview the change' }));
    const dialog = await screen.findByRole('dialog');

    await user.click(within(dialog).getByRole('button', { name: /^Start/ }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent('the confirmation token expired; preview again');
  });

  it('explains where bulk jobs start when the address names no rows', async () => {
    setup('/bulk-jobs/new');
    expect(await screen.findByText('Choose the rows first')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'products' })).toHaveAttribute('href', '/catalog/products');
  });
});
