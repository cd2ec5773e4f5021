/**
 * THE permission matrix: who may call which route, as data. Every route carries its id (`config.permission`); one
 * hook (`./guard.ts`) looks the id up here and decides, for every request. A route without an entry is refused
 * (fail closed), and a test asserts that every registered route has one.
 *
 * A tenant route names the scopes it needs. A member may call it when their role grants every one of them
 * (`ROLE_SCOPES`); an API key when its role grants them AND its own scopes include them. `tenant:*` scopes are
 * never given to API keys, so routes that need them are for people only.
 */

import { type ResourceKind, ROLES, type Role, SCOPES, type Scope } from "../identity/index.js";

export { ROLES, type Role, type Scope };

/** Scopes routes can require: API-key scopes plus tenant administration, which keys never have. */
export type ApiScope = Scope | "tenant:read" | "tenant:write";

export const ALL_SCOPES: readonly Scope[] = SCOPES;

const read = (...kinds: ResourceKind[]): Scope[] => kinds.map((k) => `${k}:read` as const);
const write = (...kinds: ResourceKind[]): Scope[] => kinds.map((k) => `${k}:write` as const);

/**
 * What each role may do in its tenant. Owners and admins manage everything; only owners may grant, change or remove
 * the owner role (checked by the members routes, which see the target's role). Members run the monitoring config;
 * viewers read it.
 */
export const ROLE_SCOPES: Readonly<Record<Role, ReadonlySet<ApiScope>>> = {
  owner: new Set<ApiScope>([...ALL_SCOPES, "tenant:read", "tenant:write"]),
  admin: new Set<ApiScope>([...ALL_SCOPES, "tenant:read", "tenant:write"]),
  member: new Set<ApiScope>([
    ...read("monitors", "triggers", "networks", "scripts", "matches", "deliveries", "usage", "members"),
    ...write("monitors", "triggers", "networks", "scripts", "deliveries"),
    "tenant:read",
  ]),
  viewer: new Set<ApiScope>([
    ...read("monitors", "triggers", "networks", "scripts", "matches", "deliveries", "usage", "members"),
    "tenant:read",
  ]),
};

/** Scopes a key with this role may be given (a key never exceeds its role). */
export function grantableScopes(role: Role): Scope[] {
  return ALL_SCOPES.filter((scope) => ROLE_SCOPES[role].has(scope));
}

export type Permission =
  /** Anyone (signup, login, refresh, logout, docs). */
  | { access: "public" }
  /** Any valid user token or API key, no tenant (who am I). */
  | { access: "authenticated" }
  /** A user token (not an API key), no tenant. */
  | { access: "user" }
  /** A platform operator's user token. */
  | { access: "platform" }
  /** A member of the `{tenant}` in the path, or an API key of it, holding every scope listed. */
  | { access: "tenant"; scopes: readonly ApiScope[] };

const tenant = (...scopes: ApiScope[]): Permission => ({ access: "tenant", scopes });
const PUBLIC: Permission = { access: "public" };
const PLATFORM: Permission = { access: "platform" };

/** Route id → permission. The ids are the `config.permission` of the routes under `./routes/`. */
export const PERMISSIONS = {
  "docs.openapi": PUBLIC,
  "docs.ui": PUBLIC,

  "auth.signup": PUBLIC,
  "auth.login": PUBLIC,
  "auth.refresh": PUBLIC,
  "auth.logout": PUBLIC,
  "auth.me": { access: "authenticated" },

  "tenants.list": { access: "user" },
  "tenants.get": tenant(),
  "tenants.import": tenant("tenant:write", ...write("monitors", "triggers", "networks", "scripts")),
  "tenants.export": tenant("tenant:read", ...read("monitors", "triggers", "networks", "scripts")),

  "monitors.list": tenant("monitors:read"),
  "monitors.get": tenant("monitors:read"),
  "monitors.create": tenant("monitors:write"),
  "monitors.update": tenant("monitors:write"),
  "monitors.settings": tenant("monitors:write"),
  "monitors.delete": tenant("monitors:write"),
  "monitors.versions": tenant("monitors:read"),
  "monitors.rollback": tenant("monitors:write"),
  // Fetches a block from the chain on the caller's behalf: a write-level action (costly, outbound).
  "monitors.test": tenant("monitors:write"),

  "triggers.list": tenant("triggers:read"),
  "triggers.get": tenant("triggers:read"),
  "triggers.create": tenant("triggers:write"),
  "triggers.update": tenant("triggers:write"),
  "triggers.delete": tenant("triggers:write"),
  "triggers.versions": tenant("triggers:read"),
  "triggers.rollback": tenant("triggers:write"),

  "networks.list": tenant("networks:read"),
  "networks.get": tenant("networks:read"),
  "networks.create": tenant("networks:write"),
  "networks.update": tenant("networks:write"),
  "networks.delete": tenant("networks:write"),

  "scripts.list": tenant("scripts:read"),
  "scripts.get": tenant("scripts:read"),
  "scripts.create": tenant("scripts:write"),
  "scripts.update": tenant("scripts:write"),
  "scripts.delete": tenant("scripts:write"),

  "api_keys.list": tenant("api_keys:read"),
  "api_keys.create": tenant("api_keys:write"),
  "api_keys.revoke": tenant("api_keys:write"),

  "members.list": tenant("members:read"),
  "members.add": tenant("members:write"),
  "members.update": tenant("members:write"),
  "members.remove": tenant("members:write"),

  "audit_log.list": tenant("audit_log:read"),
  "usage.get": tenant("usage:read"),

  "matches.list": tenant("matches:read"),
  "matches.get": tenant("matches:read"),

  "deliveries.list": tenant("deliveries:read"),
  "deliveries.get": tenant("deliveries:read"),
  "deliveries.attempts": tenant("deliveries:read"),
  "deliveries.replay": tenant("deliveries:write"),

  "platform.networks.list": PLATFORM,
  "platform.networks.create": PLATFORM,
  "platform.networks.update": PLATFORM,
  "platform.networks.delete": PLATFORM,
  "platform.tenants.list": PLATFORM,
  "platform.tenants.get": PLATFORM,
  "platform.tenants.update": PLATFORM,
  "platform.status": PLATFORM,
} as const satisfies Record<string, Permission>;

export type PermissionId = keyof typeof PERMISSIONS;

export function permissionOf(id: string | undefined): Permission | undefined {
  if (id === undefined || !Object.hasOwn(PERMISSIONS, id)) return undefined;
  return PERMISSIONS[id as PermissionId];
}

/** The caller inside a tenant: a member's role, or an API key's role and scopes. */
export type TenantActor = { kind: "user"; role: Role } | { kind: "api_key"; role: Role; scopes: readonly string[] };

/** The scopes in `required` this actor lacks (empty: allowed). */
export function missingScopes(actor: TenantActor, required: readonly ApiScope[]): ApiScope[] {
  const granted = ROLE_SCOPES[actor.role];
  return required.filter((scope) => !granted.has(scope) || (actor.kind === "api_key" && !actor.scopes.includes(scope)));
}
