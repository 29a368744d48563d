import { useState, type SubmitEvent } from 'react';

import type { CreateExport, ExportDataset, ExportJob, OrderStatus } from '@/api/types';
import { Button } from '@/components/Button';
import { Dialog } from '@/components/Dialog';
import { SelectField, TextField } from '@/components/fields';
import { InlineError } from '@/components/states';
import { fromLocalInputValue, humanize } from '@/lib/format';
import { useTenants } from '@/lib/tenants';

import { EXPORT_DATASETS, useCreateExport } from '@/features/exports/api';
import { parseDataset } from '@/features/exports/ExportFiltersBar';

const ORDER_STATUSES: OrderStatus[] = ['pending', 'paid', 'refunded', 'cancelled'];

interface CreateExportDialogProps {
  /** Staff choose the tenant (or every tenant); partners always export their own. */
  staff: boolean;
  defaultTenantId: number | undefined;
  canExportAuditLog: boolean;
  onClose: () => void;
  onCreated: (job: ExportJob) => void;
}

export function CreateExportDialog({ staff, defaultTenantId, canExportAuditLog, onClose, onCreated }: CreateExportDialogProps) {
  const create = useCreateExport();
  const { data: tenants } = useTenants();
  const [dataset, setDataset] = useState<ExportDataset>('orders');
  const [tenant, setTenant] = useState(defaultTenantId === undefined ? '' : String(defaultTenantId));
  const [orderStatus, setOrderStatus] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');

  const datasets = EXPORT_DATASETS.filter((value) => value !== 'audit_log' || canExportAuditLog);
  const fromInstant = fromLocalInputValue(from);
  const toInstantValue = fromLocalInputValue(to);
  const rangeIsBackwards = fromInstant !== undefined && toInstantValue !== undefined && fromInstant >= toInstantValue;

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (rangeIsBackwards) return;
    const request: CreateExport = {
      dataset,
      ...(staff && tenant !== '' ? { tenant_id: Number(tenant) } : {}),
      filters: {
        ...(dataset === 'orders' && orderStatus ? { status: orderStatus as OrderStatus } : {}),
        ...(fromInstant ? { from: fromInstant } : {}),
        ...(toInstantValue ? { to: toInstantValue } : {}),
      },
    };
    create.mutate(request, { onSuccess: onCreated });
  }

  return (
    <Dialog title="New export" description="A CSV file is built in the background; it appears in the list when it is ready to download." onClose={onClose} busy={create.isPending}>
      <form className="form" onSubmit={submit} aria-label="New export">
        <SelectField
          label="Dataset"
          value={dataset}
          onChange={(event) => setDataset(parseDataset(event.target.value) ?? 'orders')}
          options={datasets.map((value) => ({ value, label: humanize(value) }))}
        />
        {staff && (
          <SelectField
            label="Tenant"
            value={tenant}
            onChange={(event) => setTenant(event.target.value)}
            options={[{ value: '', label: 'All tenants' }, ...(tenants ?? []).map((t) => ({ value: String(t.id), label: t.name }))]}
          />
        )}
        {dataset === 'orders' && (
          <SelectField
            label="Order status"
            value={orderStatus}
            onChange={(event) => setOrderStatus(event.target.value)}
            options={[{ value: '', label: 'Any status' }, ...ORDER_STATUSES.map((value) => ({ value, label: humanize(value) }))]}
          />
        )}
        <div className="form__row">
          <TextField label="From" type="datetime-local" value={from} onChange={(event) => setFrom(event.target.value)} hint="Optional" />
          <TextField label="Until" type="datetime-local" value={to} onChange={(event) => setTo(event.target.value)} hint="Optional, excluded" />
        </div>
        {rangeIsBackwards && (
          <p className="inline-error" role="alert">
            “Until” must be later than “From”.
          </p>
        )}
        {create.error && <InlineError error={create.error} />}
        <div className="dialog__footer dialog__footer--in-form">
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={create.isPending} disabled={rangeIsBackwards}>
            Start export
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
