import { lazy, Suspense } from 'react';
import { Link, Navigate, Route, Routes } from 'react-router';

import { EmptyState, LoadingState } from '@/components/states';

// Screens load on first visit, so the login page does not wait for the charting library.
const AuditEntryPage = lazy(() => import('@/features/audit/AuditEntryPage').then((m) => ({ default: m.AuditEntryPage })));
const AuditLogPage = lazy(() => import('@/features/audit/AuditLogPage').then((m) => ({ default: m.AuditLogPage })));
const BulkJobPage = lazy(() => import('@/features/bulk-jobs/BulkJobPage').then((m) => ({ default: m.BulkJobPage })));
const ArticlePage = lazy(() => import('@/features/catalog/ArticlePage').then((m) => ({ default: m.ArticlePage })));
const BulkJobsPage = lazy(() => import('@/features/bulk-jobs/BulkJobsPage').then((m) => ({ default: m.BulkJobsPage })));
const NewBulkJobPage = lazy(() => import('@/features/bulk-jobs/NewBulkJobPage').then((m) => ({ default: m.NewBulkJobPage })));
const ProductsPage = lazy(() => import('@/features/catalog/ProductsPage').then((m) => ({ default: m.ProductsPage })));
const ArticlesPage = lazy(() => import('@/features/catalog/ArticlesPage').then((m) => ({ default: m.ArticlesPage })));
const CommentsPage = lazy(() => import('@/features/catalog/CommentsPage').then((m) => ({ default: m.CommentsPage })));
const OrdersPage = lazy(() => import('@/features/catalog/OrdersPage').then((m) => ({ default: m.OrdersPage })));
const CustomersPage = lazy(() => import('@/features/catalog/CustomersPage').then((m) => ({ default: m.CustomersPage })));
const DashboardPage = lazy(() => import('@/features/dashboard/DashboardPage').then((m) => ({ default: m.DashboardPage })));
const ExportJobPage = lazy(() => import('@/features/exports/ExportJobPage').then((m) => ({ default: m.ExportJobPage })));
const ExportJobsPage = lazy(() => import('@/features/exports/ExportJobsPage').then((m) => ({ default: m.ExportJobsPage })));
const WebhookEventPage = lazy(() => import('@/features/webhooks/WebhookEventPage').then((m) => ({ default: m.WebhookEventPage })));
const WebhookEventsPage = lazy(() => import('@/features/webhooks/WebhookEventsPage').then((m) => ({ default: m.WebhookEventsPage })));
const TenantsPage = lazy(() => import('@/features/admin/TenantsPage').then((m) => ({ default: m.TenantsPage })));
const UsersPage = lazy(() => import('@/features/admin/UsersPage').then((m) => ({ default: m.UsersPage })));
const UserPage = lazy(() => import('@/features/admin/UserPage').then((m) => ({ default: m.UserPage })));
const ChangePasswordPage = lazy(() => import('@/features/auth/ChangePasswordPage').then((m) => ({ default: m.ChangePasswordPage })));
const TokensPage = lazy(() => import('@/features/admin/TokensPage').then((m) => ({ default: m.TokensPage })));

import { RequirePermission } from './RequirePermission';

function NotFoundPage() {
  return (
    <EmptyState title="There is nothing at this address">
      <Link to="/">Back to the dashboard</Link>
    </EmptyState>
  );
}

export function AppRoutes() {
  return (
    <Suspense fallback={<LoadingState />}>
      <Routes>
      <Route path="/" element={<RequirePermission permission="dashboard:read"><DashboardPage /></RequirePermission>} />
      {/* Signed in already: the login page's address leads home. */}
      <Route path="/login" element={<Navigate to="/" replace />} />
      <Route path="/exports" element={<RequirePermission permission="exports:read"><ExportJobsPage /></RequirePermission>} />
      <Route path="/exports/:id" element={<RequirePermission permission="exports:read"><ExportJobPage /></RequirePermission>} />
      <Route path="/webhooks" element={<RequirePermission permission="webhooks:read"><WebhookEventsPage /></RequirePermission>} />
      <Route path="/webhooks/:id" element={<RequirePermission permission="webhooks:read"><WebhookEventPage /></RequirePermission>} />
      <Route path="/bulk-jobs" element={<RequirePermission permission="bulk:read"><BulkJobsPage /></RequirePermission>} />
      <Route path="/bulk-jobs/new" element={<RequirePermission permission="bulk:run"><NewBulkJobPage /></RequirePermission>} />
      <Route path="/bulk-jobs/:id" element={<RequirePermission permission="bulk:read"><BulkJobPage /></RequirePermission>} />
      <Route path="/catalog" element={<Navigate to="/catalog/products" replace />} />
      <Route path="/catalog/products" element={<RequirePermission permission="catalog:read"><ProductsPage /></RequirePermission>} />
      <Route path="/catalog/articles" element={<RequirePermission permission="catalog:read"><ArticlesPage /></RequirePermission>} />
      <Route path="/catalog/articles/:id" element={<RequirePermission permission="catalog:read"><ArticlePage /></RequirePermission>} />
      <Route path="/catalog/comments" element={<RequirePermission permission="catalog:read"><CommentsPage /></RequirePermission>} />
      <Route path="/catalog/orders" element={<RequirePermission permission="catalog:read"><OrdersPage /></RequirePermission>} />
      <Route path="/catalog/customers" element={<RequirePermission permission="catalog:read"><CustomersPage /></RequirePermission>} />
      <Route path="/audit" element={<RequirePermission permission="audit:read"><AuditLogPage /></RequirePermission>} />
      <Route path="/audit/:id" element={<RequirePermission permission="audit:read"><AuditEntryPage /></RequirePermission>} />
      <Route path="/admin/tenants" element={<RequirePermission permission="tenants:read"><TenantsPage /></RequirePermission>} />
      <Route path="/admin/users" element={<RequirePermission permission="users:read"><UsersPage /></RequirePermission>} />
      <Route path="/admin/users/:id" element={<RequirePermission permission="users:read"><UserPage /></RequirePermission>} />
      <Route path="/admin/tokens" element={<RequirePermission permission="tokens:manage"><TokensPage /></RequirePermission>} />
      {/* Every signed-in user's own: no permission needed. */}
      <Route path="/account/password" element={<ChangePasswordPage />} />
      <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Suspense>
  );
}
