/**
 * What route plugins get: the services, plus the two ways into the store. `read` runs inside `withTenant` (row-level
 * security as the second wall behind the repositories' own tenant filters); `mutate` does too, and writes the audit
 * row in the same transaction as the change, so there is never a change without its audit row or the reverse.
 */
import type { FastifyRequest } from "fastify";
import type { BlockCache } from "../cache/index.js";
import type { openNetworkClient } from "../chains/index.js";
import { decryptSecrets, encryptSecrets, redactSecrets } from "../secrets/index.js";
import { audit, type Store, withPlatform, withTenant } from "../store/index.js";
import { type ApiServices, auditActor, requestMeta, tenantContext } from "./context.js";

export interface RouteServices extends ApiServices {
  onReplay: () => void;
  openNetworkClient: typeof openNetworkClient;
  /** Blocks the ingesters fetched, by network id (test-a-monitor reads it before the node). */
  blockCache?: BlockCache;
}

/** The envelope context secrets are bound to: the owning tenant's id, or `"platform"`. */
export function secretContext(tenantId: string | null): string {
  return tenantId ?? "platform";
}

/** A document with its `Plain` secrets encrypted for storage (unchanged without a keyring). */
export function sealSecrets<T>(services: ApiServices, tenantId: string | null, document: T): T {
  if (services.keyring === null) return document;
  return encryptSecrets(services.keyring, document, { context: secretContext(tenantId) });
}

/** A stored document with its secrets decrypted, for use (testing a monitor); never for responses. */
export function openSecrets<T>(services: ApiServices, tenantId: string | null, document: T): T {
  if (services.keyring === null) return document;
  return decryptSecrets(services.keyring, document, { context: secretContext(tenantId) });
}

/** The audit facts of one change. `before`/`after` are redacted before they are written. */
export interface AuditEntry {
  action: string;
  resourceType: string;
  resourceId: string | null;
  before?: unknown;
  after?: unknown;
}

export interface Mutation<T> {
  result: T;
  audit: AuditEntry;
}

/** Runs a read as the request's tenant. */
export function readTenant<T>(
  services: RouteServices,
  request: FastifyRequest,
  fn: (scoped: Store, tenantId: string) => Promise<T>,
): Promise<T> {
  const { tenant } = tenantContext(request);
  return withTenant(services.store, tenant.id, (scoped) => fn(scoped, tenant.id));
}

async function record(
  scoped: Store,
  request: FastifyRequest,
  tenantId: string | null,
  entry: AuditEntry,
): Promise<void> {
  const meta = requestMeta(request);
  await audit.record(scoped, {
    tenantId,
    actor: auditActor(request.auth.principal),
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    before: entry.before === undefined ? null : redactSecrets(entry.before),
    after: entry.after === undefined ? null : redactSecrets(entry.after),
    ip: meta.ip,
    userAgent: meta.userAgent,
    requestId: meta.requestId,
  });
}

/** Runs a change as the request's tenant, with its audit row, in one transaction. */
export function mutateTenant<T>(
  services: RouteServices,
  request: FastifyRequest,
  fn: (scoped: Store, tenantId: string) => Promise<Mutation<T>>,
): Promise<T> {
  const { tenant } = tenantContext(request);
  return withTenant(services.store, tenant.id, async (scoped) => {
    const { result, audit: entry } = await fn(scoped, tenant.id);
    await record(scoped, request, tenant.id, entry);
    return result;
  });
}

/** Runs a platform change (operators) with its audit row (`tenantId` when it concerns one tenant). */
export function mutatePlatform<T>(
  services: RouteServices,
  request: FastifyRequest,
  fn: (scoped: Store) => Promise<Mutation<T> & { tenantId?: string | null }>,
): Promise<T> {
  return withPlatform(services.store, async (scoped) => {
    const { result, audit: entry, tenantId } = await fn(scoped);
    await record(scoped, request, tenantId ?? null, entry);
    return result;
  });
}
