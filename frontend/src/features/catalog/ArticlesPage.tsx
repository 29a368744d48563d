import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';

import type { Article } from '@/api/types';
import { SelectField } from '@/components/fields';
import { RelativeTime } from '@/components/RelativeTime';
import { StatusBadge } from '@/components/StatusBadge';
import { humanize } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';
import { selectedShown, useSelection } from '@/lib/use-selection';

import { ARTICLE_STATUSES, useArticles } from '@/features/catalog/api';
import { BulkActionsBar } from '@/features/catalog/BulkActionsBar';
import { CatalogHeader } from '@/features/catalog/CatalogHeader';
import { CatalogTable, type Column } from '@/features/catalog/CatalogTable';
import { definedFilters, oneOf, withParam } from '@/features/catalog/search-params';
import { useCatalogScope } from '@/features/catalog/use-catalog-scope';

export function ArticlesPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const { tenantId, showTenant, canStartBulkJobs } = useCatalogScope();
  const tenantName = useTenantName();
  const filters = { status: oneOf(ARTICLE_STATUSES, searchParams.get('status')) };
  const articles = useArticles(filters, tenantId);
  const rows = useMemo(() => articles.data?.pages.flatMap((page) => page.items) ?? [], [articles.data]);
  const selection = useSelection();

  const columns: Column<Article>[] = [
    {
      header: 'Article',
      cell: (article) => (
        <>
          <Link to={`/catalog/articles/${article.id}`}>{article.title}</Link>
          <span className="table__subtext">#{article.id}</span>
        </>
      ),
    },
    { header: 'Author', cell: (article) => article.author },
    { header: 'Tenant', shown: showTenant, cell: (article) => tenantName(article.tenant_id) },
    { header: 'Status', cell: (article) => <StatusBadge status={article.status} /> },
    { header: 'Published', cell: (article) => <RelativeTime iso={article.published_at} /> },
    { header: 'Updated', cell: (article) => <RelativeTime iso={article.updated_at} /> },
  ];

  return (
    <>
      <CatalogHeader title="Articles" description="Articles of every tenant in view, newest first. Publish or unpublish many at once with a bulk job." />
      <div className="filters" role="search" aria-label="Filter articles">
        <SelectField
          label="Status"
          value={filters.status ?? ''}
          onChange={(event) => {
            setSearchParams(withParam(searchParams, 'status', event.target.value), { replace: true });
            selection.clear();
          }}
          options={[{ value: '', label: 'Any status' }, ...ARTICLE_STATUSES.map((value) => ({ value, label: humanize(value) }))]}
        />
      </div>
      {canStartBulkJobs && <BulkActionsBar table="articles" noun="articles" selectedIds={selectedShown(rows, selection)} onClearSelection={selection.clear} filter={definedFilters(filters)} tenantId={tenantId} />}
      <CatalogTable
        pages={articles}
        rows={rows}
        columns={columns}
        noun="articles"
        filtered={filters.status !== undefined}
        selection={canStartBulkJobs ? selection : undefined}
        rowLabel={(article) => `article #${article.id} ${article.title}`}
      />
    </>
  );
}
