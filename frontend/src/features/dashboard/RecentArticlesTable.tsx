import { Link } from 'react-router';

import type { Article } from '@/api/types';
import { RelativeTime } from '@/components/RelativeTime';
import { EmptyState } from '@/components/states';
import { useTenantName } from '@/lib/tenants';

export function RecentArticlesTable({ articles, showTenant }: { articles: readonly Article[]; showTenant: boolean }) {
  const tenantName = useTenantName();
  if (articles.length === 0) return <EmptyState title="No articles published yet" />;
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Title</th>
            {showTenant && <th scope="col">Tenant</th>}
            <th scope="col">Published</th>
          </tr>
        </thead>
        <tbody>
          {articles.map((article) => (
            <tr key={article.id}>
              <td className="truncate" title={`${article.title}, by ${article.author}`}>
                <Link to={`/catalog/articles/${article.id}`}>{article.title}</Link>
              </td>
              {showTenant && <td>{tenantName(article.tenant_id)}</td>}
              <td>
                <RelativeTime iso={article.published_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
