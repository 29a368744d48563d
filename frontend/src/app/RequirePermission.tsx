import type { ReactNode } from 'react';

import type { Permission } from '@/api/types';
import { EmptyState } from '@/components/states';
import { useCan } from '@/lib/use-session';

/** A screen the caller may not use says so, instead of failing on its first request. */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const can = useCan();
  if (!can(permission)) {
    return (
      <EmptyState title="You do not have access to this page">
        Ask an administrator for the <code>{permission}</code> permission.
      </EmptyState>
    );
  }
  return children;
}
