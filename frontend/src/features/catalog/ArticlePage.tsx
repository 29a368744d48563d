import { Link, useParams } from 'react-router';

import { PageHeader, Panel } from '@/components/Panel';
import { ErrorState, LoadingState } from '@/components/states';
import { StatusBadge } from '@/components/StatusBadge';
import { formatDateTime } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';

import { useArticle } from '@/features/catalog/api';

/** An article's facts, and a way to its comments. */
export function ArticlePage() {
  const id = Number(useParams().id);
  const tenantName = useTenantName();
  const article = useArticle(id);

  if (!Number.isInteger(id) || id <= 0) return <ErrorState error={new Error('This is not an article address.')} />;
  if (article.isPending) return <LoadingState label="Loading the article…" />;
  if (article.isError) return <ErrorState error={article.error} title={`Article #${id} could not be loaded`} onRetry={() => void article.refetch()} />;
  const data = article.data;

  return (
    <>
      <p className="breadcrumbs">
        <Link to="/catalog/articles">Articles</Link> / #{data.id}
      </p>
      <PageHeader title={data.title} description={<StatusBadge status={data.status} />} actions={<Link to={`/catalog/comments?article_id=${data.id}`}>Comments on this article</Link>} />
      <Panel title="Article">
        <dl className="details">
          <dt>Author</dt>
          <dd>{data.author}</dd>
          <dt>Tenant</dt>
          <dd>{tenantName(data.tenant_id)}</dd>
          <dt>Published</dt>
          <dd>{formatDateTime(data.published_at, true)}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(data.created_at, true)}</dd>
          <dt>Updated</dt>
          <dd>{formatDateTime(data.updated_at, true)}</dd>
        </dl>
      </Panel>
    </>
  );
}
