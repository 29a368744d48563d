import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '@/api/client';
import type { CreateTenant, CreateToken, CreateUser, GrantRole, Role, UpdateTenant, UpdateUser } from '@/api/types';

export const ROLES: Role[] = ['superadmin', 'ops', 'support', 'partner_admin', 'partner_viewer'];

/** Partner roles are bound to one tenant; staff roles to none. */
export function isPartnerRole(role: Role): boolean {
  return role === 'partner_admin' || role === 'partner_viewer';
}

// The tenant list itself is `useTenants` (src/lib/tenants), shared with the tenant switcher.
const tenantsKey = ['tenants'] as const;
const usersKey = ['users'] as const;
const tokensKey = ['tokens'] as const;

function useInvalidate(key: readonly string[]) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: key });
}

export function useCreateTenant() {
  const invalidate = useInvalidate(tenantsKey);
  return useMutation({
    mutationFn: (tenant: CreateTenant) => unwrap(api.POST('/api/v1/tenants', { body: tenant })),
    onSuccess: invalidate,
  });
}

export function useUpdateTenant() {
  const invalidate = useInvalidate(tenantsKey);
  return useMutation({
    mutationFn: ({ id, changes }: { id: number; changes: UpdateTenant }) =>
      unwrap(api.PATCH('/api/v1/tenants/{id}', { params: { path: { id } }, body: changes })),
    onSuccess: invalidate,
  });
}

export function useUsers() {
  return useQuery({
    queryKey: usersKey,
    // Every user in one page, sorted by username.
    queryFn: () => unwrap(api.GET('/api/v1/users')),
    select: (page) => page.items,
  });
}

export function useUser(id: number) {
  return useQuery({
    queryKey: [...usersKey, id],
    queryFn: () => unwrap(api.GET('/api/v1/users/{id}', { params: { path: { id } } })),
    enabled: Number.isInteger(id) && id > 0,
  });
}

export function useCreateUser() {
  const invalidate = useInvalidate(usersKey);
  return useMutation({
    mutationFn: (user: CreateUser) => unwrap(api.POST('/api/v1/users', { body: user })),
    onSuccess: invalidate,
  });
}

export function useUpdateUser() {
  const invalidate = useInvalidate(usersKey);
  return useMutation({
    mutationFn: ({ id, changes }: { id: number; changes: UpdateUser }) =>
      unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body: changes })),
    onSuccess: invalidate,
  });
}

export function useGrantRole(userId: number) {
  const invalidate = useInvalidate(usersKey);
  return useMutation({
    mutationFn: (grant: GrantRole) => unwrap(api.POST('/api/v1/users/{id}/roles', { params: { path: { id: userId } }, body: grant })),
    onSuccess: invalidate,
  });
}

export function useRevokeRole(userId: number) {
  const invalidate = useInvalidate(usersKey);
  return useMutation({
    mutationFn: (bindingId: number) =>
      unwrap(api.DELETE('/api/v1/users/{id}/roles/{binding_id}', { params: { path: { id: userId, binding_id: bindingId } } })),
    onSuccess: invalidate,
  });
}

export function useTokens() {
  return useQuery({
    queryKey: tokensKey,
    queryFn: () => unwrap(api.GET('/api/v1/tokens')),
    select: (page) => page.items,
  });
}

export function useCreateToken() {
  const invalidate = useInvalidate(tokensKey);
  return useMutation({
    mutationFn: (token: CreateToken) => unwrap(api.POST('/api/v1/tokens', { body: token })),
    onSuccess: invalidate,
  });
}

export function useRevokeToken() {
  const invalidate = useInvalidate(tokensKey);
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}
