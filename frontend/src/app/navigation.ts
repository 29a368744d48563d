import type { Permission } from '@/api/types';

export interface NavItem {
  to: string;
  label: string;
  /** Shown only to callers with this permission (`GET /me`), so partners never see staff screens. */
  permission: Permission;
  /** Match the path exactly (the dashboard at `/` would otherwise match everything). */
  end?: boolean;
}

/** The menu, in order. Screens still to come join it as they land. */
export const NAV_ITEMS: NavItem[] = [
  { to: '/', label: 'Dashboard', permission: 'dashboard:read', end: true },
  { to: '/catalog', label: 'Catalog', permission: 'catalog:read' },
  { to: '/bulk-jobs', label: 'Bulk jobs', permission: 'bulk:read' },
  { to: '/exports', label: 'Export jobs', permission: 'exports:read' },
  { to: '/webhooks', label: 'Webhook events', permission: 'webhooks:read' },
  { to: '/audit', label: 'Audit log', permission: 'audit:read' },
  { to: '/admin/tenants', label: 'Tenants', permission: 'tenants:read' },
  { to: '/admin/users', label: 'Users', permission: 'users:read' },
  { to: '/admin/tokens', label: 'API tokens', permission: 'tokens:manage' },
];

export function visibleNavItems(permissions: readonly Permission[]): NavItem[] {
  return NAV_ITEMS.filter((item) => permissions.includes(item.permission));
}
