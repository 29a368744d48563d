// Readable names for the API's schemas, all derived from the generated contract (schema.d.ts).
import type { components } from './schema';

type Schemas = components['schemas'];

export type Problem = Schemas['Problem'];
export type AccessToken = Schemas['AccessToken'];
export type Me = Schemas['Me'];
export type Tenant = Schemas['Tenant'];
export type Dashboard = Schemas['DashboardView'];
export type KpiCard = Schemas['KpiCard'];
export type DailyKpi = Schemas['DailyKpiView'];
export type ExportJob = Schemas['ExportJobView'];
export type ExportJobStatus = Schemas['ExportJobStatus'];
export type ExportDataset = Schemas['ExportDataset'];
export type CreateExport = Schemas['CreateExport'];
export type RetryResult = Schemas['RetryResult'];
export type OrderStatus = Schemas['OrderStatus'];
export type FailedWebhook = Schemas['FailedWebhook'];
export type WebhookEventDetail = Schemas['WebhookEventDetailView'];
export type WebhookEventStatus = Schemas['WebhookEventStatus'];
export type BulkProgress = Schemas['BulkProgress'];
export type BulkJob = Schemas['BulkJobView'];
export type BulkJobStatus = Schemas['BulkJobStatus'];
export type Article = Schemas['Article'];
export type AuditLogEntry = Schemas['AuditLogEntry'];
export type ActorType = Schemas['ActorType'];

/** A permission name as `GET /me` lists it, e.g. `exports:retry`. */
export type Permission = string;
