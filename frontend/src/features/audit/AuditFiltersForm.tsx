import { useState, type SubmitEvent } from 'react';

import { Button } from '@/components/Button';
import { SelectField, TextField } from '@/components/fields';
import { fromLocalInputValue, humanize, toLocalInputValue } from '@/lib/format';

import { ACTOR_TYPES, type AuditFilters } from '@/features/audit/api';
import { filterProblems } from '@/features/audit/filters';

type Filters = Omit<AuditFilters, 'tenant_id'>;

interface AuditFiltersFormProps {
  applied: Filters;
  onApply: (filters: Filters) => void;
}

/** Filters apply on submit, not per keystroke: each change starts a new search of the log. */
export function AuditFiltersForm({ applied, onApply }: AuditFiltersFormProps) {
  const [draft, setDraft] = useState({
    actor_type: applied.actor_type ?? '',
    actor_label: applied.actor_label ?? '',
    action_prefix: applied.action_prefix ?? '',
    target_type: applied.target_type ?? '',
    target_id: applied.target_id ?? '',
    occurred_from: toLocalInputValue(applied.occurred_from),
    occurred_to: toLocalInputValue(applied.occurred_to),
  });
  const [problems, setProblems] = useState<string[]>([]);

  const set = (name: keyof typeof draft) => (event: { target: { value: string } }) => setDraft((current) => ({ ...current, [name]: event.target.value }));

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const filters: Filters = {
      actor_type: ACTOR_TYPES.find((type) => type === draft.actor_type),
      actor_label: draft.actor_label.trim() || undefined,
      action_prefix: draft.action_prefix.trim() || undefined,
      target_type: draft.target_type.trim() || undefined,
      target_id: draft.target_id.trim() || undefined,
      occurred_from: fromLocalInputValue(draft.occurred_from),
      occurred_to: fromLocalInputValue(draft.occurred_to),
    };
    const found = filterProblems(filters);
    setProblems(found);
    if (found.length === 0) onApply(filters);
  }

  function reset() {
    setDraft({ actor_type: '', actor_label: '', action_prefix: '', target_type: '', target_id: '', occurred_from: '', occurred_to: '' });
    setProblems([]);
    onApply({});
  }

  return (
    <form className="filters filters--wrap" role="search" aria-label="Filter the audit log" onSubmit={submit}>
      <SelectField
        label="Actor type"
        value={draft.actor_type}
        onChange={set('actor_type')}
        options={[{ value: '', label: 'Any actor' }, ...ACTOR_TYPES.map((type) => ({ value: type, label: humanize(type) }))]}
      />
      <TextField label="Actor" placeholder="username, exactly" value={draft.actor_label} onChange={set('actor_label')} />
      <TextField label="Action starts with" placeholder="auth. or export_job." value={draft.action_prefix} onChange={set('action_prefix')} />
      <TextField label="Target type" placeholder="tenant, user…" value={draft.target_type} onChange={set('target_type')} />
      <TextField label="Target id" value={draft.target_id} onChange={set('target_id')} />
      <TextField label="From" type="datetime-local" value={draft.occurred_from} onChange={set('occurred_from')} />
      <TextField label="Until" type="datetime-local" value={draft.occurred_to} onChange={set('occurred_to')} />
      <div className="filters__buttons">
        <Button type="submit" variant="primary">
          Apply filters
        </Button>
        <Button onClick={reset}>Reset</Button>
      </div>
      {problems.length > 0 && (
        <ul className="inline-error filters__problems" role="alert">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </form>
  );
}
