/**
 * OZ JSON from tenants: validated by the same parsers `argus validate` uses (same messages, same JSON paths, under
 * `$.config`), plus what a shared platform must add: references resolve within the tenant (its networks and the
 * platform's, its triggers, its scripts), `Environment` secrets are refused (they would read the server's
 * environment), and tenant URLs (RPC endpoints, webhooks, SMTP hosts) must not point at private addresses.
 */
import {
  type ConfigProblem,
  type Monitor,
  type Network,
  parseMonitor,
  parseNetwork,
  parseTrigger,
  type Trigger,
} from "../config/index.js";
import { type ErrorPath, formatJsonPath } from "../errors/index.js";
import { NetAddressForbiddenError, resolveAllowedAddresses } from "../net/index.js";
import { findEnvironmentSecrets } from "../secrets/index.js";
import { ApiCode, ApiError, type ProblemItem } from "./errors.js";

/** Where the OZ document sits in request bodies. */
const CONFIG_PATH: ErrorPath = ["config"];

function toItems(problems: readonly ConfigProblem[]): ProblemItem[] {
  return problems
    .filter((p) => p.severity === "error")
    .map((p) => ({ path: formatJsonPath([...CONFIG_PATH, ...p.path]), message: p.message, code: p.code }));
}

function invalid(what: string, items: ProblemItem[]): ApiError {
  return new ApiError(ApiCode.Validation, `The ${what} is not valid (${items.length} problem(s)).`, { errors: items });
}

function environmentItems(config: unknown): ProblemItem[] {
  return findEnvironmentSecrets(config).map((secret) => ({
    path: formatJsonPath([...CONFIG_PATH, ...secret.path]),
    message:
      'Environment secrets read the server\'s environment and are not allowed for tenants; send {"type": "Plain", "value": …} (stored encrypted, never returned)',
    code: "API_SECRET_ENVIRONMENT_REFUSED",
  }));
}

export interface MonitorContext {
  /** Networks the tenant may reference: the platform's and its own, by slug. */
  networks: ReadonlyMap<string, { network_type: Network["network_type"] }>;
  /** The tenant's trigger keys. */
  triggerKeys: ReadonlySet<string>;
  /** The tenant's script paths (trigger conditions must name one). */
  scriptPaths: ReadonlySet<string>;
}

/** Validates a monitor document for a tenant; throws a 422 `ApiError` naming every problem. */
export function validateMonitor(config: unknown, context: MonitorContext): Monitor {
  const refused = environmentItems(config);
  const parsed = parseMonitor(config, {
    env: {},
    checkScripts: false,
    networks: context.networks,
    triggers: context.triggerKeys,
  });
  const items = [...refused, ...(parsed.ok ? [] : toItems(parsed.problems))];
  if (parsed.ok) {
    for (const [i, condition] of parsed.value.trigger_conditions.entries()) {
      if (!context.scriptPaths.has(condition.script_path)) items.push(unknownScript(["trigger_conditions", i]));
    }
  }
  if (items.length > 0 || !parsed.ok) throw invalid("monitor", items);
  return parsed.value;
}

function unknownScript(at: (string | number)[]): ProblemItem {
  return {
    path: formatJsonPath([...CONFIG_PATH, ...at, "script_path"]),
    message: "no script with this path in this tenant; create it under /scripts first",
    code: "API_SCRIPT_NOT_FOUND",
  };
}

export interface UrlPolicy {
  allowPrivateNetworks: boolean;
}

/**
 * Refuses a host that resolves to a private, loopback, link-local or metadata address. A host that does not
 * resolve now is accepted: delivery checks again at connect time, and DNS may be down only for a while.
 */
async function checkHost(host: string, at: ErrorPath, policy: UrlPolicy): Promise<ProblemItem | null> {
  if (policy.allowPrivateNetworks) return null;
  try {
    await resolveAllowedAddresses(host, { allowPrivateNetworks: false });
    return null;
  } catch (error) {
    if (!(error instanceof NetAddressForbiddenError)) return null;
    return { path: formatJsonPath(at), message: error.message, code: error.code };
  }
}

async function checkUrl(url: string, at: ErrorPath, policy: UrlPolicy): Promise<ProblemItem | null> {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return null; // the OZ parser already reported a malformed URL
  }
  return checkHost(host, at, policy);
}

function plainValue(secret: unknown): string | undefined {
  if (typeof secret !== "object" || secret === null) return undefined;
  const { type, value } = secret as { type?: unknown; value?: unknown };
  return typeof type === "string" && type.toLowerCase() === "plain" && typeof value === "string" ? value : undefined;
}

/** Validates a trigger document (`{name, trigger_type, config}`) for a tenant. */
export async function validateTrigger(
  config: unknown,
  context: { scriptPaths: ReadonlySet<string> },
  policy: UrlPolicy,
): Promise<Trigger> {
  const refused = environmentItems(config);
  const parsed = parseTrigger(config, { env: {}, checkScripts: false });
  if (!parsed.ok || refused.length > 0)
    throw invalid("trigger", [...refused, ...(parsed.ok ? [] : toItems(parsed.problems))]);
  const trigger = parsed.value;
  const raw = (config as { config: Record<string, unknown> }).config;
  const items = await triggerUrlProblems(config, CONFIG_PATH, policy);
  if (trigger.trigger_type === "script" && typeof raw.script_path === "string") {
    if (!context.scriptPaths.has(raw.script_path)) items.push(unknownScript(["config"]));
  }
  if (items.length > 0) throw invalid("trigger", items);
  return trigger;
}

/** Validates a network document for a tenant (or, with `tenant: false`, for the platform). */
export async function validateNetwork(config: unknown, policy: UrlPolicy & { tenant: boolean }): Promise<Network> {
  const refused = policy.tenant ? environmentItems(config) : [];
  const parsed = parseNetwork(config, policy.tenant ? { env: {} } : {});
  if (!parsed.ok || refused.length > 0)
    throw invalid("network", [...refused, ...(parsed.ok ? [] : toItems(parsed.problems))]);
  const items = policy.tenant ? await networkUrlProblems(config, CONFIG_PATH, policy) : [];
  if (items.length > 0) throw invalid("network", items);
  return parsed.value;
}

/** Tenant-supplied notification targets (webhook/chat URLs, SMTP host) that resolve to private addresses. */
async function triggerUrlProblems(trigger: unknown, at: ErrorPath, policy: UrlPolicy): Promise<ProblemItem[]> {
  const { trigger_type: type, config: raw } = (trigger ?? {}) as { trigger_type?: unknown; config?: unknown };
  if (typeof raw !== "object" || raw === null) return [];
  const fields = raw as Record<string, unknown>;
  const checks: Array<Promise<ProblemItem | null>> = [];
  for (const field of ["url", "slack_url", "discord_url"]) {
    const url = plainValue(fields[field]);
    if (url !== undefined) checks.push(checkUrl(url, [...at, "config", field, "value"], policy));
  }
  if (type === "email" && typeof fields.host === "string") {
    checks.push(checkHost(fields.host, [...at, "config", "host"], policy));
  }
  return (await Promise.all(checks)).filter((item): item is ProblemItem => item !== null);
}

/** Tenant-supplied RPC URLs that resolve to private addresses. */
async function networkUrlProblems(network: unknown, at: ErrorPath, policy: UrlPolicy): Promise<ProblemItem[]> {
  const raw = (network as { rpc_urls?: unknown } | null)?.rpc_urls;
  if (!Array.isArray(raw)) return [];
  const checks = raw.map((entry, i) => {
    const url = plainValue((entry as { url?: unknown } | null)?.url);
    return url === undefined ? null : checkUrl(url, [...at, "rpc_urls", i, "url", "value"], policy);
  });
  return (await Promise.all(checks)).filter((item): item is ProblemItem => item !== null);
}

/**
 * The same address checks for a whole OZ bundle a tenant imports (paths `$.bundle.triggers["file"].key…`), so an
 * import cannot bring in what the single-resource routes refuse.
 */
export async function bundleUrlProblems(
  bundle: { networks: Record<string, unknown>; triggers: Record<string, Record<string, unknown>> },
  policy: UrlPolicy,
): Promise<ProblemItem[]> {
  const checks: Array<Promise<ProblemItem[]>> = [];
  for (const [file, network] of Object.entries(bundle.networks)) {
    checks.push(networkUrlProblems(network, ["bundle", "networks", file], policy));
  }
  for (const [file, entries] of Object.entries(bundle.triggers)) {
    for (const [key, trigger] of Object.entries(entries)) {
      checks.push(triggerUrlProblems(trigger, ["bundle", "triggers", file, key], policy));
    }
  }
  return (await Promise.all(checks)).flat();
}
