import { useMemo, useState, type SubmitEvent } from 'react';
import { Link, useSearchParams } from 'react-router';

import type { Comment } from '@/api/types';
import { Button } from '@/components/Button';
import { SelectField, TextField } from '@/components/fields';
import { RelativeTime } from '@/components/RelativeTime';
import { StatusBadge } from '@/components/StatusBadge';
import { humanize } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';
import { selectedShown, useSelection } from '@/lib/use-selection';

import { COMMENT_STATUSES, useComments } from '@/features/catalog/api';
import { BulkActionsBar } from '@/features/catalog/BulkActionsBar';
import { CatalogHeader } from '@/features/catalog/CatalogHeader';
import { CatalogTable, type Column } from '@/features/catalog/CatalogTable';
import { definedFilters, oneOf, positiveIdParam, withParam } from '@/features/catalog/search-params';
import { useCatalogScope } from '@/features/catalog/use-catalog-scope';

export function CommentsPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const { tenantId, showTenant, canStartBulkJobs } = useCatalogScope();
  const tenantName = useTenantName();
  const filters = { status: oneOf(COMMENT_STATUSES, searchParams.get('status')), article_id: positiveIdParam(searchParams, 'article_id') };
  const comments = useComments(filters, tenantId);
  const rows = useMemo(() => comments.data?.pages.flatMap((page) => page.items) ?? [], [comments.data]);
  const selection = useSelection();
  const [articleDraft, setArticleDraft] = useState(filters.article_id === undefined ? '' : String(filters.article_id));
  const articleDraftInvalid = articleDraft.trim() !== '' && !/^[1-9]\d*$/.test(articleDraft.trim());

  function apply(next: URLSearchParams) {
    setSearchParams(next, { replace: true });
    selection.clear();
  }

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!articleDraftInvalid) apply(withParam(searchParams, 'article_id', articleDraft.trim()));
  }

  const columns: Column<Comment>[] = [
    {
      header: 'Comment',
      cellClassName: 'truncate truncate--wide',
      cell: (comment) => (
        <>
          <span title={comment.body}>{comment.body}</span>
          <span className="table__subtext">
            #{comment.id} by {comment.author_name}
          </span>
        </>
      ),
    },
    { header: 'Article', cell: (comment) => <Link to={`/catalog/articles/${comment.article_id}`}>#{comment.article_id}</Link> },
    { header: 'Tenant', shown: showTenant, cell: (comment) => tenantName(comment.tenant_id) },
    { header: 'Status', cell: (comment) => <StatusBadge status={comment.status} /> },
    { header: 'Written', cell: (comment) => <RelativeTime iso={comment.created_at} /> },
  ];

  return (
    <>
      <CatalogHeader title="Comments" description="Readers’ comments, newest first. Approve or remove many at once with a bulk job." />
      <form className="filters" role="search" aria-label="Filter comments" onSubmit={submit}>
        <SelectField
          label="Status"
          value={filters.status ?? ''}
          onChange={(event) => apply(withParam(searchParams, 'status', event.target.value))}
          options={[{ value: '', label: 'Any status' }, ...COMMENT_STATUSES.map((value) => ({ value, label: humanize(value) }))]}
        />
        <TextField
          label="Article id"
          inputMode="numeric"
          value={articleDraft}
          onChange={(event) => setArticleDraft(event.target.value)}
          error={articleDraftInvalid ? 'An article id is a whole number' : undefined}
        />
        <div className="filters__buttons">
          <Button type="submit" variant="primary">
            Apply
          </Button>
        </div>
      </form>
      {canStartBulkJobs && <BulkActionsBar table="comments" noun="comments" selectedIds={selectedShown(rows, selection)} onClearSelection={selection.clear} filter={definedFilters(filters)} tenantId={tenantId} />}
      <CatalogTable
        pages={comments}
        rows={rows}
        columns={columns}
        noun="comments"
        filtered={filters.status !== undefined || filters.article_id !== undefined}
        selection={canStartBulkJobs ? selection : undefined}
        rowLabel={(comment) => `comment #${comment.id} by ${comment.author_name}`}
      />
    </>
  );
}
