// Vitest global setup of the browser tests: one opsdeck server (demo data) and one partner user
// for the whole run. What the tests need is handed over with `provide` / `inject`.
import type { TestProject } from 'vitest/node';

import { startOpsdeck, type RunningOpsdeck } from './opsdeck-server';

export interface Partner {
  username: string;
  password: string;
  tenantId: number;
  tenantName: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    adminPassword: string;
    /** The server's storage directory, where a test can put a fault in the way of export files. */
    storageDir: string;
    partner: Partner;
    /** A partner viewer, whose role requires TOTP: they have not set it up yet. */
    viewer: { username: string; password: string };
    /** A tenant the partner must never see, and one of its export jobs. */
    otherTenantId: number;
    otherTenantExportId: number;
  }
}

interface TenantRow {
  id: number;
  slug: string;
  name: string;
}

async function adminToken(baseUrl: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (!response.ok) throw new Error(`admin login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

let server: RunningOpsdeck | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startOpsdeck();
  const token = await adminToken(server.baseUrl, server.adminPassword);
  const tenantsResponse = await fetch(`${server.baseUrl}/api/v1/tenants`, { headers: { authorization: `Bearer ${token}` } });
  const { items: tenants } = (await tenantsResponse.json()) as { items: TenantRow[] };
  const [own, other] = tenants;
  if (!own || !other) throw new Error(`the demo data should have two tenants, found ${tenants.length}`);

  // The partner is created the way an operator would: with the CLI, against the same database.
  const partner: Partner = { username: 'partner', password: 'copper-kettle-drizzle-e2e', tenantId: own.id, tenantName: own.name };
  await server.cli(['user', 'create', '--username', partner.username, '--role', 'partner_admin', '--tenant', own.slug, '--password-stdin'], partner.password);

  project.provide('baseUrl', server.baseUrl);
  project.provide('adminPassword', server.adminPassword);
  project.provide('storageDir', server.storageDir);
  project.provide('partner', partner);
  const viewer = { username: 'viewer', password: 'amber-falcon-orchard-e2e' };
  await server.cli(['user', 'create', '--username', viewer.username, '--role', 'partner_viewer', '--tenant', own.slug, '--password-stdin'], viewer.password);
  project.provide('viewer', viewer);
  project.provide('otherTenantId', other.id);
  const otherExports = await fetch(`${server.baseUrl}/api/v1/export-jobs?tenant_id=${other.id}&limit=1`, { headers: { authorization: `Bearer ${token}` } });
  const [otherExport] = ((await otherExports.json()) as { items: { id: number }[] }).items;
  if (!otherExport) throw new Error('the demo data should have export jobs in every tenant');
  project.provide('otherTenantExportId', otherExport.id);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
