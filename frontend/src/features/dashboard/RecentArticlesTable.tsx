import { Link } from 'react-router';

import type { Article } from '@/api/types';
import { DataTable, type Column } from '@/components/DataTable';
import { RelativeTime } from '@/components/RelativeTime';
import { useTenantName } from '@/lib/tenants';

export function RecentArticlesTable({ articles, showTenant }: { articles: readonly Article[]; showTenant: boolean }) {
  const tenantName = useTenantName();
  const columns: Column<Article>[] = [
    {
      header: 'Title',
      cellClassName: 'truncate',
      cellTitle: (article) => `${article.title}, by ${article.author}`,
      cell: (article) => <Link to={`/catalog/articles/${article.id}`}>{article.title}</Link>,
    },
    { header: 'Tenant', shown: showTenant, cell: (article) => tenantName(article.tenant_id) },
    { header: 'Published', cell: (article) => <RelativeTime iso={article.published_at} /> },
  ];
  return <DataTable rows={articles} columns={columns} rowKey={(article) => article.id} empty="No articles published yet" />;
}
