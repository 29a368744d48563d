import type { ActorType } from '@/api/types';

import { ACTOR_TYPES, type AuditFilters } from '@/features/audit/api';

/** The filters that live in the address bar (so a filtered view can be shared or reloaded). */
export const FILTER_PARAMS = ['actor_type', 'actor_label', 'action_prefix', 'target_type', 'target_id', 'occurred_from', 'occurred_to'] as const;

export type FilterParam = (typeof FILTER_PARAMS)[number];

export function filtersFromSearch(params: URLSearchParams): Omit<AuditFilters, 'tenant_id'> {
  const text = (name: FilterParam) => params.get(name)?.trim() || undefined;
  const actorType = params.get('actor_type');
  return {
    actor_type: ACTOR_TYPES.find((type): type is ActorType => type === actorType),
    actor_label: text('actor_label'),
    action_prefix: text('action_prefix'),
    target_type: text('target_type'),
    target_id: text('target_id'),
    occurred_from: text('occurred_from'),
    occurred_to: text('occurred_to'),
  };
}

export function searchFromFilters(filters: Omit<AuditFilters, 'tenant_id'>): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of FILTER_PARAMS) {
    const value = filters[name];
    if (value) params.set(name, value);
  }
  return params;
}

/** Combinations the API refuses, explained before asking it. */
export function filterProblems(filters: Omit<AuditFilters, 'tenant_id'>): string[] {
  const problems: string[] = [];
  if (filters.action_prefix && !/^[a-z0-9_.]+$/.test(filters.action_prefix)) {
    problems.push('An action prefix has lower-case letters, digits, “_” and “.” only (e.g. “auth.” or “export_job.retry”).');
  }
  if (filters.target_id && !filters.target_type) problems.push('A target id needs a target type.');
  if (filters.occurred_to && !filters.occurred_from) problems.push('“Until” needs a “From” as well.');
  if (filters.occurred_from && filters.occurred_to && filters.occurred_from >= filters.occurred_to) {
    problems.push('“Until” must be later than “From”.');
  }
  return problems;
}
