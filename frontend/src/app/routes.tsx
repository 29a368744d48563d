import { lazy, Suspense } from 'react';
import { Link, Navigate, Route, Routes } from 'react-router';

import { EmptyState, LoadingState } from '@/components/states';

// Screens load on first visit, so the login page does not wait for the charting library.
const AuditEntryPage = lazy(() => import('@/features/audit/AuditEntryPage').then((m) => ({ default: m.AuditEntryPage })));
const AuditLogPage = lazy(() => import('@/features/audit/AuditLogPage').then((m) => ({ default: m.AuditLogPage })));
const BulkJobPage = lazy(() => import('@/features/bulk-jobs/BulkJobPage').then((m) => ({ default: m.BulkJobPage })));
const ArticlePage = lazy(() => import('@/features/catalog/ArticlePage').then((m) => ({ default: m.ArticlePage })));
const DashboardPage = lazy(() => import('@/features/dashboard/DashboardPage').then((m) => ({ default: m.DashboardPage })));
const ExportJobPage = lazy(() => import('@/features/exports/ExportJobPage').then((m) => ({ default: m.ExportJobPage })));
const ExportJobsPage = lazy(() => import('@/features/exports/ExportJobsPage').then((m) => ({ default: m.ExportJobsPage })));
const WebhookEventPage = lazy(() => import('@/features/webhooks/WebhookEventPage').then((m) => ({ default: m.WebhookEventPage })));
const WebhookEventsPage = lazy(() => import('@/features/webhooks/WebhookEventsPage').then((m) => ({ default: m.WebhookEventsPage })));

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
      <Route path="/bulk-jobs/:id" element={<RequirePermission permission="bulk:read"><BulkJobPage /></RequirePermission>} />
      <Route path="/catalog/articles/:id" element={<RequirePermission permission="catalog:read"><ArticlePage /></RequirePermission>} />
      <Route path="/audit" element={<RequirePermission permission="audit:read"><AuditLogPage /></RequirePermission>} />
      <Route path="/audit/:id" element={<RequirePermission permission="audit:read"><AuditEntryPage /></RequirePermission>} />
      <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Suspense>
  );
}
