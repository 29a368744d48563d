// Test data shaped by the generated API types, so a contract change breaks the fixtures at compile time.
import type { ApiToken, Article, AuditLogEntry, BulkJob, BulkPreview, Dashboard, ExportJob, Me, Permission, Product, Tenant, User, WebhookEvent } from '@/api/types';

const STAFF_PERMISSIONS: Permission[] = [
  'dashboard:read', 'tenants:read', 'tenants:write', 'users:read', 'users:write', 'tokens:manage', 'catalog:read',
  'exports:read', 'exports:create', 'exports:retry', 'exports:download', 'webhooks:read',
  'webhooks:reprocess', 'bulk:read', 'bulk:run', 'audit:read', 'audit:export', 'kpis:read', 'kpis:rebuild',
];

const PARTNER_ADMIN_PERMISSIONS: Permission[] = [
  'dashboard:read', 'tokens:manage', 'catalog:read', 'exports:read', 'exports:create', 'exports:retry',
  'exports:download', 'bulk:read', 'bulk:run', 'audit:read', 'audit:export', 'kpis:read',
];

export const staffMe: Me = {
  kind: 'user',
  user_id: 1,
  name: 'admin',
  roles: [{ role: 'superadmin', tenant_id: null }],
  tenant_id: null,
  permissions: STAFF_PERMISSIONS,
  delegable_roles: ['superadmin', 'ops', 'support', 'partner_admin', 'partner_viewer'],
  mfa_enrollment_required: false,
};

export const partnerMe: Me = {
  kind: 'user',
  user_id: 7,
  name: 'pat',
  roles: [{ role: 'partner_admin', tenant_id: 2 }],
  tenant_id: 2,
  tenant_name: 'Globex Corporation',
  permissions: PARTNER_ADMIN_PERMISSIONS,
  delegable_roles: ['partner_admin', 'partner_viewer'],
  mfa_enrollment_required: false,
};

export const tenants: Tenant[] = [
  { id: 1, slug: 'acme', name: 'Acme Corporation', status: 'active', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' },
  { id: 2, slug: 'globex', name: 'Globex Corporation', status: 'active', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' },
];

export function exportJob(overrides: Partial<ExportJob> = {}): ExportJob {
  return {
    id: 1,
    tenant_id: 1,
    dataset: 'orders',
    format: 'csv',
    filters: { status: null, from: null, to: null },
    status: 'DONE',
    attempts: 1,
    max_attempts: 3,
    last_error: null,
    row_count: 1200,
    byte_size: 48_000,
    checksum_sha256: 'ab'.repeat(32),
    downloadable: true,
    expires_at: '2030-01-01T00:00:00Z',
    requested_by_user_id: 1,
    created_at: '2026-03-01T10:00:00Z',
    started_at: '2026-03-01T10:00:01Z',
    finished_at: '2026-03-01T10:00:03Z',
    ...overrides,
  };
}

export function auditEntry(overrides: Partial<AuditLogEntry> = {}): AuditLogEntry {
  return {
    id: 100,
    occurred_at: '2026-03-01T10:00:00Z',
    actor_type: 'user',
    actor_id: 1,
    actor_label: 'admin',
    tenant_id: null,
    ip: '127.0.0.1',
    method: 'POST',
    path: '/api/v1/auth/login',
    action: 'auth.login',
    target_type: 'user',
    target_id: '1',
    request_id: 'req-1',
    status: 200,
    outcome: 'succeeded',
    reason: null,
    metadata: {},
    prev_hash: '0'.repeat(64),
    hash: '1'.repeat(64),
    hash_version: 2,
    ...overrides,
  };
}

function day(offset: number): string {
  const date = new Date(Date.UTC(2026, 2, 1 + offset));
  return date.toISOString().slice(0, 10);
}

export const dashboard: Dashboard = {
  tenant_id: null,
  kpi_cards: [
    { name: 'revenue:EUR', today: 1_234_56, yesterday: 1_000_00, change_percent: 23.456 },
    { name: 'churned', today: 4, yesterday: 2, change_percent: 100 },
    { name: 'signups', today: 42, yesterday: 40, change_percent: 5 },
    { name: 'dau', today: 310, yesterday: 0, change_percent: null },
    { name: 'orders', today: 90, yesterday: 100, change_percent: -10 },
  ],
  kpi_series: Array.from({ length: 14 }, (_, index) => ({
    day: day(index),
    signups: 30 + index,
    dau: 250 + index * 4,
    orders: 80 + (index % 3),
    churned: index % 2,
    revenue: [{ currency: 'EUR', amount_minor: 90_000 + index * 1_000, paid_orders: 50 }],
  })),
  failed_exports: [
    exportJob({ id: 31, status: 'FAILED', downloadable: false, last_error: 'disk full', attempts: 3, row_count: null, byte_size: null }),
  ],
  active_exports: [exportJob({ id: 32, status: 'RUNNING', downloadable: false, tenant_id: 2 })],
  failed_webhooks: [
    {
      id: 501,
      provider: 'payments',
      event_type: 'order.paid',
      tenant_id: 1,
      status: 'FAILED',
      attempts: 5,
      last_error: 'order ord-9 does not exist',
      received_at: '2026-03-01T09:00:00Z',
    },
  ],
  running_bulk_jobs: [
    { id: 77, tenant_id: 1, action: 'product.price_change', status: 'RUNNING', total: 1000, processed: 250, succeeded: 250, failed: 0, percent: 25, started_at: '2026-03-01T10:00:00Z' },
  ],
  recent_articles: [
    { id: 9, tenant_id: 1, title: 'Spring catalogue is live', author: 'Dana', status: 'published', published_at: '2026-03-01T08:00:00Z', created_at: '2026-02-28T08:00:00Z', updated_at: '2026-03-01T08:00:00Z' },
  ],
  recent_audit: [auditEntry({ id: 1001, action: 'export_job.retry', target_type: 'export_job', target_id: '31' })],
};

export function user(overrides: Partial<User> = {}): User {
  return {
    id: 5,
    username: 'sam',
    display_name: 'Sam Support',
    email: 'sam@example.com',
    is_active: true,
    mfa_enabled: false,
    last_login_at: '2026-03-01T09:00:00Z',
    created_at: '2026-01-01T00:00:00Z',
    roles: [{ id: 50, role: 'support', tenant_id: null, created_at: '2026-01-01T00:00:00Z' }],
    ...overrides,
  };
}

export function apiToken(overrides: Partial<ApiToken> = {}): ApiToken {
  return {
    id: 3,
    name: 'nightly ERP sync',
    display_prefix: 'odk_Ab12',
    roles: ['superadmin'],
    tenant_id: null,
    expires_at: '2030-01-01T00:00:00Z',
    last_used_at: null,
    revoked_at: null,
    created_at: '2026-03-01T10:00:00Z',
    ...overrides,
  };
}

export function product(overrides: Partial<Product> = {}): Product {
  return {
    id: 11,
    tenant_id: 1,
    shop_id: 3,
    sku: 'SKU-11',
    name: 'Desk lamp',
    price_minor: 2_999,
    currency: 'EUR',
    visibility: 'visible',
    created_at: '2026-02-01T10:00:00Z',
    updated_at: '2026-02-01T10:00:00Z',
    ...overrides,
  };
}

export function article(overrides: Partial<Article> = {}): Article {
  return {
    id: 9,
    tenant_id: 1,
    title: 'Spring catalogue is live',
    author: 'Dana',
    status: 'draft',
    published_at: null,
    created_at: '2026-02-28T08:00:00Z',
    updated_at: '2026-03-01T08:00:00Z',
    ...overrides,
  };
}

export function bulkJob(overrides: Partial<BulkJob> = {}): BulkJob {
  return {
    id: 77,
    tenant_id: 1,
    action: 'product.price_change',
    params: { percent: -10 },
    target: { ids: [11, 12] },
    status: 'RUNNING',
    total: 2,
    processed: 1,
    succeeded: 1,
    failed: 0,
    percent: 50,
    rate_per_second: 40,
    eta_seconds: 1,
    chunk_size: 500,
    attempts: 1,
    max_attempts: 3,
    last_error: null,
    retry_of_id: null,
    cancel_requested_at: null,
    requested_by_user_id: 1,
    created_at: '2026-03-01T10:00:00Z',
    started_at: '2026-03-01T10:00:01Z',
    finished_at: null,
    updated_at: '2026-03-01T10:00:02Z',
    ...overrides,
  };
}

export function bulkPreview(overrides: Partial<BulkPreview> = {}): BulkPreview {
  return {
    action: 'product.price_change',
    params: { percent: -10 },
    total: 2,
    sample: [
      {
        id: 11,
        tenant_id: 1,
        before: { name: 'Desk lamp', price_minor: 2_999, currency: 'EUR', visibility: 'visible' },
        after: { name: 'Desk lamp', price_minor: 2_699, currency: 'EUR', visibility: 'visible' },
        error: null,
      },
      {
        id: 12,
        tenant_id: 1,
        before: { name: 'Wall clock', price_minor: 1_995, currency: 'EUR', visibility: 'visible' },
        after: { name: 'Wall clock', price_minor: 1_796, currency: 'EUR', visibility: 'visible' },
        error: null,
      },
    ],
    foreign_ids: [],
    confirmation_token: 'token-1',
    expires_at: '2030-01-01T00:10:00Z',
    ...overrides,
  };
}

export function webhookEvent(overrides: Partial<WebhookEvent> = {}): WebhookEvent {
  return {
    id: 501,
    provider: 'payments',
    event_id: 'evt_501',
    event_type: 'order.paid',
    tenant_id: 1,
    status: 'FAILED',
    attempts: 5,
    max_attempts: 5,
    last_error: 'order ord-9 does not exist',
    received_at: '2026-03-01T09:00:00Z',
    run_after: '2026-03-01T09:00:00Z',
    started_at: '2026-03-01T09:00:01Z',
    finished_at: '2026-03-01T09:00:02Z',
    processed_at: null,
    ...overrides,
  };
}
