import type { ExportDataset, ExportJobStatus } from '@/api/types';
import { SelectField } from '@/components/fields';
import { humanize } from '@/lib/format';

import { EXPORT_DATASETS, EXPORT_STATUSES } from '@/features/exports/api';

interface ExportFiltersBarProps {
  status: ExportJobStatus | undefined;
  dataset: ExportDataset | undefined;
  onChange: (next: { status: ExportJobStatus | undefined; dataset: ExportDataset | undefined }) => void;
}

export function parseStatus(value: string | null): ExportJobStatus | undefined {
  return EXPORT_STATUSES.find((status) => status === value);
}

export function parseDataset(value: string | null): ExportDataset | undefined {
  return EXPORT_DATASETS.find((dataset) => dataset === value);
}

export function ExportFiltersBar({ status, dataset, onChange }: ExportFiltersBarProps) {
  return (
    <div className="filters" role="search" aria-label="Filter export jobs">
      <SelectField
        label="Status"
        value={status ?? ''}
        onChange={(event) => onChange({ status: parseStatus(event.target.value), dataset })}
        options={[{ value: '', label: 'Any status' }, ...EXPORT_STATUSES.map((value) => ({ value, label: humanize(value.toLowerCase()) }))]}
      />
      <SelectField
        label="Dataset"
        value={dataset ?? ''}
        onChange={(event) => onChange({ status, dataset: parseDataset(event.target.value) })}
        options={[{ value: '', label: 'Any dataset' }, ...EXPORT_DATASETS.map((value) => ({ value, label: humanize(value) }))]}
      />
    </div>
  );
}
