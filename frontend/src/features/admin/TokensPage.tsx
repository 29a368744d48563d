import { useState } from 'react';

import type { ApiToken, CreatedToken } from '@/api/types';
import { Button } from '@/components/Button';
import { DataTable, type Column } from '@/components/DataTable';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { Notice } from '@/components/Notice';
import { PageHeader } from '@/components/Panel';
import { RelativeTime } from '@/components/RelativeTime';
import { EmptyState, QueryView } from '@/components/states';
import { StatusBadge } from '@/components/StatusBadge';
import { formatDateTime, humanize } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';
import { isStaff, useMe } from '@/lib/use-session';

import { useRevokeToken, useTokens } from '@/features/admin/api';
import { CreateTokenDialog } from '@/features/admin/CreateTokenDialog';
import { TokenSecretDialog } from '@/features/admin/TokenSecretDialog';

type TokenStatus = 'active' | 'expired' | 'revoked';

function statusOf(token: ApiToken, now = Date.now()): TokenStatus {
  if (token.revoked_at) return 'revoked';
  if (token.expires_at && Date.parse(token.expires_at) <= now) return 'expired';
  return 'active';
}

/** Integrator tokens: the caller's own (superadmins: everyone's). Created here, shown once, revoked here. */
export function TokensPage() {
  const tokens = useTokens();
  const { data: me } = useMe();
  const staff = me !== undefined && isStaff(me);
  const tenantName = useTenantName();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const columns: Column<ApiToken>[] = [
    { header: 'Name', cell: (token) => token.name },
    { header: 'Starts with', cell: (token) => <code>{token.display_prefix}…</code> },
    { header: 'Roles', cell: (token) => token.roles.map(humanize).join(', ') },
    {
      header: 'Tenant',
      shown: staff,
      cell: (token) => (token.tenant_id === null || token.tenant_id === undefined ? 'All tenants' : tenantName(token.tenant_id)),
    },
    { header: 'Status', cell: (token) => <StatusBadge status={statusOf(token)} /> },
    {
      header: 'Expires',
      cellTitle: (token) => formatDateTime(token.expires_at, true),
      cell: (token) => (token.expires_at ? formatDateTime(token.expires_at) : 'Never'),
    },
    { header: 'Last used', cell: (token) => <RelativeTime iso={token.last_used_at} /> },
    {
      header: <span className="visually-hidden">Actions</span>,
      cellClassName: 'table__actions',
      cell: (token) =>
        statusOf(token) === 'active' && (
          <Button size="small" variant="danger" onClick={() => setRevoking(token)} aria-label={`Revoke token ${token.name}`}>
            Revoke
          </Button>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title="API tokens"
        description="Integrators call the API with these tokens. A token holds some of your roles, never more, and stops working when it expires or is revoked."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            New token
          </Button>
        }
      />
      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}

      <QueryView query={tokens} noun="tokens">
        {(rows) => (
          <DataTable
            rows={rows}
            columns={columns}
            rowKey={(token) => token.id}
            caption="API tokens"
            empty={<EmptyState title="No tokens yet">Create one with “New token” to call the API from a script or another system.</EmptyState>}
          />
        )}
      </QueryView>

      {creating && (
        <CreateTokenDialog
          onClose={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false);
            setCreated(result);
          }}
        />
      )}
      {created && <TokenSecretDialog created={created} onClose={() => setCreated(null)} />}
      {revoking && (
        <RevokeTokenDialog
          token={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            setRevoking(null);
            setNotice(`Token “${revoking.name}” is revoked.`);
          }}
        />
      )}
    </>
  );
}

function RevokeTokenDialog({ token, onClose, onRevoked }: { token: ApiToken; onClose: () => void; onRevoked: () => void }) {
  const revoke = useRevokeToken();
  return (
    <ConfirmDialog
      title={`Revoke “${token.name}”?`}
      confirmLabel="Revoke token"
      busy={revoke.isPending}
      error={revoke.error}
      onClose={onClose}
      onConfirm={() => revoke.mutate(token.id, { onSuccess: onRevoked })}
    >
      <p>
        Every call made with <code>{token.display_prefix}…</code> is refused from now on. This cannot be undone: whoever uses it needs a new token.
      </p>
    </ConfirmDialog>
  );
}
