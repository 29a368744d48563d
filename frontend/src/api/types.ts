// Readable names for the API's schemas, all derived from the generated contract (schema.d.ts).
import type { components } from './schema';

type Schemas = components['schemas'];

export type Problem = Schemas['Problem'];
export type AccessToken = Schemas['AccessToken'];
export type Me = Schemas['Me'];
export type Tenant = Schemas['Tenant'];
export type TenantStatus = Schemas['TenantStatus'];
export type CreateTenant = Schemas['CreateTenant'];
export type UpdateTenant = Schemas['UpdateTenant'];
export type Role = Schemas['Role'];
export type User = Schemas['User'];
export type CreateUser = Schemas['CreateUser'];
export type UpdateUser = Schemas['UpdateUser'];
export type RoleBinding = Schemas['RoleBinding'];
export type GrantRole = Schemas['GrantRole'];
export type ApiToken = Schemas['ApiToken'];
export type CreateToken = Schemas['CreateToken'];
export type CreatedToken = Schemas['CreatedToken'];
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
export type AuditOutcome = Schemas['AuditOutcome'];
export type ActorType = Schemas['ActorType'];
export type Product = Schemas['Product'];
export type ProductVisibility = Schemas['ProductVisibility'];
export type Shop = Schemas['Shop'];
export type ArticleStatus = Schemas['ArticleStatus'];
export type Comment = Schemas['Comment'];
export type CommentStatus = Schemas['CommentStatus'];
export type Order = Schemas['Order'];
export type Customer = Schemas['Customer'];
export type BulkJobRequest = Schemas['BulkJobRequest'];
export type BulkPreview = Schemas['BulkPreview'];
export type SampleRow = Schemas['SampleRowView'];
export type BulkFailure = Schemas['BulkFailureView'];
export type WebhookEvent = Schemas['WebhookEventView'];
export type ReprocessResult = Schemas['ReprocessResult'];

/** A permission name as `GET /me` lists it, e.g. `exports:retry`. */
export type Permission = string;
