import { useState, type SubmitEvent } from 'react';

import { fieldErrorsOf } from '@/api/problem';
import type { Tenant } from '@/api/types';
import { Button } from '@/components/Button';
import { Dialog } from '@/components/Dialog';
import { TextField } from '@/components/fields';
import { InlineError } from '@/components/states';

import { useCreateTenant, useUpdateTenant } from '@/features/admin/api';

interface TenantFormDialogProps {
  /** `null`: a new tenant. An existing one can only be renamed (its slug is fixed). */
  tenant: Tenant | null;
  onClose: () => void;
  onSaved: (tenant: Tenant) => void;
}

export function TenantFormDialog({ tenant, onClose, onSaved }: TenantFormDialogProps) {
  const create = useCreateTenant();
  const update = useUpdateTenant();
  const save = tenant ? update : create;
  const [slug, setSlug] = useState('');
  const [name, setName] = useState(tenant?.name ?? '');
  const fieldErrors = fieldErrorsOf(save.error);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (tenant) update.mutate({ id: tenant.id, changes: { name } }, { onSuccess: onSaved });
    else create.mutate({ slug, name }, { onSuccess: onSaved });
  }

  const title = tenant ? `Rename ${tenant.name}` : 'New tenant';
  return (
    <Dialog title={title} onClose={onClose} busy={save.isPending}>
      <form className="form" onSubmit={submit} aria-label={title}>
        {!tenant && (
          <TextField
            label="Slug"
            required
            value={slug}
            onChange={(event) => setSlug(event.target.value)}
            error={fieldErrors.slug}
            hint="2-63 characters: a-z, 0-9 and inner hyphens. Fixed once created."
            autoComplete="off"
          />
        )}
        <TextField label="Name" required value={name} onChange={(event) => setName(event.target.value)} error={fieldErrors.name} />
        {save.error && <InlineError error={save.error} shownFields={['slug', 'name']} />}
        <div className="dialog__footer dialog__footer--in-form">
          <Button onClick={onClose} disabled={save.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={save.isPending}>
            {tenant ? 'Save name' : 'Create tenant'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
