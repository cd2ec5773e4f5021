/** Roles, scopes and principals: the vocabulary authentication hands to authorization. Pure. */

export const ROLES = ["owner", "admin", "member", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const RESOURCE_KINDS = [
  "monitors",
  "triggers",
  "networks",
  "matches",
  "deliveries",
  "api_keys",
  "members",
  "audit_log",
  "usage",
  "scripts",
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export type Scope = `${ResourceKind}:${"read" | "write"}`;

/** Every scope, `monitors:read`, `monitors:write`, … in `RESOURCE_KINDS` order. */
export const SCOPES: readonly Scope[] = RESOURCE_KINDS.flatMap((kind) => [
  `${kind}:read` as const,
  `${kind}:write` as const,
]);

const SCOPE_SET: ReadonlySet<string> = new Set(SCOPES);

export function isScope(value: unknown): value is Scope {
  return typeof value === "string" && SCOPE_SET.has(value);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Who is calling: a logged-in user (tenant access via memberships) or a tenant's API key. */
export type Principal =
  | { kind: "user"; userId: string; email: string; platformOperator: boolean; sessionId: string }
  | { kind: "api_key"; apiKeyId: string; tenantId: string; scopes: readonly Scope[]; role: Role };

/** Request facts recorded in audit rows and sessions. */
export interface RequestMeta {
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}
