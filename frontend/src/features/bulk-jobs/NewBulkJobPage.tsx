import { useId, useState, type SubmitEvent } from 'react';
import { Link, useSearchParams } from 'react-router';

import { fieldErrorsOf } from '@/api/problem';
import type { BulkJobRequest, BulkPreview, ProductVisibility } from '@/api/types';
import { Button } from '@/components/Button';
import { SelectField, TextField } from '@/components/fields';
import { PageHeader, Panel } from '@/components/Panel';
import { EmptyState, InlineError } from '@/components/states';
import { bulkDraftFromSearch, type BulkTargetDraft } from '@/lib/bulk-target';
import { useTenantName } from '@/lib/tenants';
import { isStaff, useMe } from '@/lib/use-session';

import { actionsFor, type BulkAction } from '@/features/bulk-jobs/actions';
import { usePreviewBulkJob } from '@/features/bulk-jobs/api';
import { BulkPreviewDialog } from '@/features/bulk-jobs/BulkPreviewDialog';
import { describeTarget } from '@/features/bulk-jobs/describe-target';

/** The catalog lists open this screen with what to act on in the address (see `@/lib/bulk-target`). */
export function NewBulkJobPage() {
  const [searchParams] = useSearchParams();
  const searchKey = searchParams.toString();
  const draft = bulkDraftFromSearch(searchParams);

  if (!draft) {
    return (
      <EmptyState title="Choose the rows first">
        Bulk jobs start from the <Link to="/catalog/products">products</Link>, <Link to="/catalog/articles">articles</Link> or{' '}
        <Link to="/catalog/comments">comments</Link> list: select rows or filter the list, then choose “Change…”.
      </EmptyState>
    );
  }
  // A new address is a new draft: the form starts over.
  return <NewBulkJobForm key={searchKey} draft={draft} />;
}

const PERCENT_PATTERN = /^\d{1,4}(\.\d{1,2})?$/;

/** Why a percentage cannot be sent, or null. Mirrors the API: at most two decimals, −100 to +1000, not 0. */
function percentProblem(text: string, direction: 'lower' | 'raise'): string | null {
  const trimmed = text.trim();
  if (!PERCENT_PATTERN.test(trimmed)) return 'A number with at most two decimals, e.g. 10 or 12.5';
  const value = Number(trimmed);
  if (value === 0) return 'A change of 0% changes nothing';
  if (direction === 'lower' && value > 100) return 'A price cannot go below zero: at most 100%';
  if (direction === 'raise' && value > 1000) return 'At most 1000%';
  return null;
}

function listAddress(draft: BulkTargetDraft): string {
  if ('ids' in draft.target) return `/catalog/${draft.table}`;
  const params = new URLSearchParams(Object.entries(draft.target.filter).map(([name, value]) => [name, String(value)]));
  return params.size > 0 ? `/catalog/${draft.table}?${params.toString()}` : `/catalog/${draft.table}`;
}

function NewBulkJobForm({ draft }: { draft: BulkTargetDraft }) {
  const actions = actionsFor(draft.table);
  const [actionName, setActionName] = useState(actions[0]?.name ?? '');
  const [direction, setDirection] = useState<'lower' | 'raise'>('lower');
  const [percent, setPercent] = useState('');
  const [visibility, setVisibility] = useState<ProductVisibility>('hidden');
  const [percentTouched, setPercentTouched] = useState(false);
  const [previewed, setPreviewed] = useState<{ preview: BulkPreview; request: BulkJobRequest } | null>(null);
  const preview = usePreviewBulkJob();
  const formId = useId();
  const tenantName = useTenantName();
  const { data: me } = useMe();
  const staff = me !== undefined && isStaff(me);

  const action: BulkAction | undefined = actions.find((candidate) => candidate.name === actionName);
  const localPercentProblem = action?.params === 'percent' ? percentProblem(percent, direction) : null;
  const serverFieldErrors = fieldErrorsOf(preview.error);
  const scopeLabel = staff ? (draft.tenantId === undefined ? 'Every tenant' : tenantName(draft.tenantId)) : 'Your tenant';

  function request(chosen: BulkAction): BulkJobRequest {
    const params =
      chosen.params === 'percent'
        ? { percent: (direction === 'lower' ? -1 : 1) * Number(percent.trim()) }
        : chosen.params === 'visibility'
          ? { visibility }
          : {};
    return {
      action: chosen.name,
      params,
      target: 'ids' in draft.target ? { ids: draft.target.ids } : { filter: draft.target.filter },
      tenant_id: draft.tenantId,
    };
  }

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    setPercentTouched(true);
    if (!action || localPercentProblem) return;
    const sent = request(action);
    preview.mutate(sent, { onSuccess: (result) => setPreviewed({ preview: result, request: sent }) });
  }

  return (
    <>
      <p className="breadcrumbs">
        <Link to="/bulk-jobs">Bulk jobs</Link> / New
      </p>
      <PageHeader title="New bulk job" description="Choose a change, then check the preview: nothing changes until you confirm it." />
      <Panel title="Rows">
        <dl className="details details--compact">
          <dt>Target</dt>
          <dd>{describeTarget(draft.table, draft.target)}</dd>
          <dt>Where</dt>
          <dd>{scopeLabel}</dd>
        </dl>
        <p className="small">
          <Link to={listAddress(draft)}>Back to the {draft.table}</Link> to choose other rows.
        </p>
      </Panel>
      <Panel title="Change">
        <form className="form" aria-label="Bulk change" onSubmit={submit} noValidate>
          <fieldset className="choice-list">
            <legend>Action</legend>
            {actions.map((candidate) => (
              <label key={candidate.name} className={`choice${candidate.name === actionName ? ' choice--selected' : ''}`}>
                <input
                  type="radio"
                  name="action"
                  value={candidate.name}
                  checked={candidate.name === actionName}
                  onChange={() => setActionName(candidate.name)}
                  aria-labelledby={`${formId}-${candidate.name}`}
                  aria-describedby={`${formId}-${candidate.name}-description`}
                />
                <span>
                  <span id={`${formId}-${candidate.name}`} className="choice__label">
                    {candidate.label}
                  </span>
                  <span id={`${formId}-${candidate.name}-description`} className="choice__description">
                    {candidate.description}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
          {action?.params === 'percent' && (
            <div className="form__row">
              <SelectField
                label="Direction"
                value={direction}
                onChange={(event) => setDirection(event.target.value === 'raise' ? 'raise' : 'lower')}
                options={[
                  { value: 'lower', label: 'Lower prices (discount)' },
                  { value: 'raise', label: 'Raise prices' },
                ]}
              />
              <TextField
                label="By percent"
                inputMode="decimal"
                placeholder="10"
                value={percent}
                onChange={(event) => setPercent(event.target.value)}
                onBlur={() => setPercentTouched(true)}
                error={(percentTouched ? localPercentProblem : null) ?? serverFieldErrors['params.percent']}
                hint="New prices are rounded to whole cents, half away from zero."
              />
            </div>
          )}
          {action?.params === 'visibility' && (
            <SelectField
              label="Visibility"
              value={visibility}
              onChange={(event) => setVisibility(event.target.value === 'visible' ? 'visible' : 'hidden')}
              options={[
                { value: 'hidden', label: 'Hide the products' },
                { value: 'visible', label: 'Show the products' },
              ]}
            />
          )}
          {preview.error && <InlineError error={preview.error} shownFields={['params.percent']} />}
          <div className="form__actions">
            <Button type="submit" variant="primary" busy={preview.isPending}>
              Preview the change
            </Button>
            <Link className="button button--ghost" to={listAddress(draft)}>
              Cancel
            </Link>
          </div>
        </form>
      </Panel>
      {previewed && (
        <BulkPreviewDialog
          preview={previewed.preview}
          request={previewed.request}
          table={draft.table}
          scopeLabel={scopeLabel}
          showTenant={staff && draft.tenantId === undefined}
          onClose={() => setPreviewed(null)}
        />
      )}
    </>
  );
}
