/** Network files (`networks/<slug>.json`, one network per file), OZ §1.3. */
import { z } from "zod";
import { cronIntervalMs, parseCron } from "./cron.js";
import { ConfigCode, ProblemSink } from "./errors.js";
import { describeValue, issuesToProblems, PARSE_PARAMS } from "./issues.js";
import { describeUrl, option, uint, withDefault } from "./primitives.js";
import { jsonInput, type ParseOptions, type ParseResult } from "./result.js";
import { resolveInto, type SecretEnv, SecretValueSchema } from "./secret.js";

export const NETWORK_TYPES = ["EVM", "Stellar", "Midnight", "Solana"] as const;
export const NetworkTypeSchema = z.enum(NETWORK_TYPES);
export type NetworkType = z.output<typeof NetworkTypeSchema>;

/** An RPC endpoint. The JSON key is literally `type_`. */
export const RpcUrlSchema = z.strictObject({
  type_: z.string(),
  url: SecretValueSchema,
  weight: uint(32),
});
export type RpcUrl = z.output<typeof RpcUrlSchema>;

/** `recovery_config` (§10.6): all fields required when the object is present. */
export const BlockRecoveryConfigSchema = z.strictObject({
  enabled: z.boolean(),
  cron_schedule: z.string(),
  max_blocks_per_run: uint(64),
  max_block_age: uint(64),
  max_retries: uint(32),
  retry_delay_ms: uint(64),
});
export type BlockRecoveryConfig = z.output<typeof BlockRecoveryConfigSchema>;

/** A positive block count, or exactly the string `"unlimited"` (0 passes here; validation rejects it). */
export const MaxPastBlocksSchema = z
  .union([z.number(), z.string()], { error: (issue) => maxPastBlocksMessage(issue.input) })
  .superRefine((value, ctx) => {
    const valid = typeof value === "string" ? value === "unlimited" : Number.isSafeInteger(value) && value >= 0;
    if (!valid)
      ctx.addIssue({ code: "custom", message: maxPastBlocksMessage(value), params: { code: ConfigCode.InvalidType } });
  })
  .transform((value) => value as number | "unlimited");

function maxPastBlocksMessage(input: unknown): string {
  return `expected a positive integer or "unlimited", got ${describeValue(input)}`;
}
export type MaxPastBlocks = z.output<typeof MaxPastBlocksSchema>;

export const NetworkSchema = z.strictObject({
  network_type: NetworkTypeSchema,
  slug: z.string(),
  name: z.string(),
  rpc_urls: z.array(RpcUrlSchema),
  chain_id: option(uint(64)),
  network_passphrase: option(z.string()),
  block_time_ms: uint(64),
  confirmation_blocks: uint(64),
  cron_schedule: z.string(),
  max_past_blocks: option(MaxPastBlocksSchema),
  store_blocks: withDefault(z.boolean(), () => false),
  recovery_config: option(BlockRecoveryConfigSchema),
});
export type Network = z.output<typeof NetworkSchema>;
export type NetworkInput = z.input<typeof NetworkSchema>;

/**
 * OZ's recommended (and default) `max_past_blocks`:
 * `floor(cron_interval_ms / block_time_ms) + confirmation_blocks + 1`, where the interval is the gap between the
 * next two firings of `cron_schedule` after `now` (0 when the schedule is invalid).
 * @example cron "0 *\/1 * * * *", 12000 ms blocks, 12 confirmations → 5 + 12 + 1 = 18
 */
export function recommendedPastBlocks(
  network: Pick<Network, "cron_schedule" | "block_time_ms" | "confirmation_blocks">,
  now: Date = new Date(),
): number {
  const parsed = parseCron(network.cron_schedule);
  const interval = parsed.ok ? cronIntervalMs(parsed.cron, now) : 0;
  const perInterval = network.block_time_ms > 0 ? Math.floor(interval / network.block_time_ms) : 0;
  return perInterval + network.confirmation_blocks + 1;
}

const HTTP_PREFIXES = ["http://", "https://", "wss://", "ws://"] as const;
const WS_PREFIXES = ["wss://", "ws://"] as const;

function startsWithAny(url: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => url.startsWith(p));
}

/**
 * Semantic checks of a schema-valid network whose secrets are resolved (§1.3). Collects every problem instead of
 * stopping at the first as OZ does.
 */
export function validateNetwork(
  network: Network,
  sink: ProblemSink,
  options: { stem?: string; now?: Date; unresolved?: ReadonlySet<number> } = {},
): void {
  if (network.name.trim() === "") sink.error(["name"], ConfigCode.InvalidField, "name must not be empty");
  if (!/^[a-z0-9_]*$/.test(network.slug)) {
    sink.error(
      ["slug"],
      ConfigCode.InvalidField,
      `slug ${JSON.stringify(network.slug)} may contain only lowercase letters a-z, digits and "_"`,
    );
  }

  for (const [i, rpc] of network.rpc_urls.entries()) {
    const at = ["rpc_urls", i];
    const url = rpc.url.value;
    const urlKnown = !options.unresolved?.has(i);
    const isWs = startsWithAny(url, WS_PREFIXES);
    if (network.network_type === "Midnight") {
      if (rpc.type_ !== "ws_rpc") {
        sink.error(
          [...at, "type_"],
          ConfigCode.InvalidField,
          `Midnight RPC type_ must be "ws_rpc", got ${JSON.stringify(rpc.type_)}`,
        );
      }
      if (urlKnown && !isWs) {
        sink.error(
          [...at, "url"],
          ConfigCode.InvalidUrl,
          `Midnight RPC URL must start with wss:// or ws://, got ${describeUrl(url)}`,
        );
      }
    } else {
      // Argus also accepts `ws_rpc` for EVM (live heads over WebSocket, spec §15), but only with a ws(s):// URL.
      const evmWs = network.network_type === "EVM" && rpc.type_ === "ws_rpc";
      if (rpc.type_ !== "rpc" && !evmWs) {
        const allowed = network.network_type === "EVM" ? `"rpc" (or "ws_rpc" with a ws:// or wss:// URL)` : `"rpc"`;
        sink.error(
          [...at, "type_"],
          ConfigCode.InvalidField,
          `${network.network_type} RPC type_ must be ${allowed}, got ${JSON.stringify(rpc.type_)}`,
        );
      }
      if (!urlKnown) {
        // already reported: the secret could not be resolved
      } else if (evmWs && !isWs) {
        sink.error(
          [...at, "url"],
          ConfigCode.InvalidUrl,
          `type_ "ws_rpc" needs a wss:// or ws:// URL, got ${describeUrl(url)}`,
        );
      } else if (!startsWithAny(url, HTTP_PREFIXES)) {
        sink.error(
          [...at, "url"],
          ConfigCode.InvalidUrl,
          `RPC URL must start with http://, https://, wss:// or ws://, got ${describeUrl(url)}`,
        );
      }
    }
    if (rpc.weight > 100) {
      sink.error([...at, "weight"], ConfigCode.InvalidField, `weight must be between 0 and 100, got ${rpc.weight}`);
    }
    if (urlKnown && (url.startsWith("http://") || url.startsWith("ws://"))) {
      sink.warn(
        [...at, "url"],
        ConfigCode.InsecureUrl,
        `RPC URL ${describeUrl(url)} is not encrypted; prefer https:// or wss://`,
      );
    }
  }

  if (network.block_time_ms < 100) {
    sink.error(
      ["block_time_ms"],
      ConfigCode.InvalidField,
      `block_time_ms must be at least 100, got ${network.block_time_ms}`,
    );
  }
  if (network.confirmation_blocks === 0) {
    sink.error(["confirmation_blocks"], ConfigCode.InvalidField, "confirmation_blocks must be greater than 0");
  }

  let cronOk = false;
  if (network.cron_schedule.trim() === "") {
    sink.error(["cron_schedule"], ConfigCode.InvalidCron, "cron_schedule must not be empty");
  } else {
    const parsed = parseCron(network.cron_schedule);
    if (parsed.ok) cronOk = true;
    else sink.error(["cron_schedule"], ConfigCode.InvalidCron, parsed.error.message);
  }

  const mpb = network.max_past_blocks;
  if (mpb === 0) {
    sink.error(["max_past_blocks"], ConfigCode.InvalidField, 'max_past_blocks must be greater than 0 (or "unlimited")');
  } else if (typeof mpb === "number" && cronOk && network.block_time_ms > 0) {
    const recommended = recommendedPastBlocks(network, options.now);
    if (mpb < recommended) {
      sink.warn(
        ["max_past_blocks"],
        ConfigCode.PastBlocks,
        `max_past_blocks ${mpb} is below the recommended ${recommended} (blocks per cron interval + confirmation_blocks + 1); blocks may be skipped when a tick runs late`,
      );
    }
  } else if (mpb === "unlimited" && network.store_blocks) {
    sink.warn(
      ["max_past_blocks"],
      ConfigCode.PastBlocks,
      'max_past_blocks "unlimited" with store_blocks true can write very many block files while catching up',
    );
  }

  const recovery = network.recovery_config;
  if (recovery !== null) {
    const parsed = parseCron(recovery.cron_schedule);
    if (!parsed.ok) {
      // A disabled recovery job never schedules, so its cron only matters once enabled.
      const report = recovery.enabled ? sink.error.bind(sink) : sink.warn.bind(sink);
      report(["recovery_config", "cron_schedule"], ConfigCode.InvalidCron, parsed.error.message);
    }
  }

  if (options.stem !== undefined && options.stem !== network.slug) {
    sink.warn(
      ["slug"],
      ConfigCode.StemMismatch,
      `file name "${options.stem}.json" does not match slug ${JSON.stringify(network.slug)}; Argus keys networks by slug, but OZ needs the file name to equal the slug`,
    );
  }
}

/** Replaces every RPC URL secret by its resolved Plain form; returns the indexes that could not be resolved. */
function resolveNetworkSecrets(network: Network, env: SecretEnv, sink: ProblemSink): Set<number> {
  const unresolved = new Set<number>();
  network.rpc_urls = network.rpc_urls.map((rpc, i) => {
    const url = resolveInto(rpc.url, ["rpc_urls", i, "url"], env, sink);
    if (url === undefined) {
      unresolved.add(i);
      return rpc;
    }
    return { ...rpc, url };
  });
  return unresolved;
}

/**
 * Parses and validates one network file's JSON value (or JSON text).
 * `ok` is false when any problem is an error; `problems` then lists them all (warnings included).
 */
export function parseNetwork(json: unknown, options: ParseOptions & { stem?: string } = {}): ParseResult<Network> {
  const sink = new ProblemSink(options.file ?? "");
  const input = jsonInput(json, sink);
  if (!input.ok) return { ok: false, problems: sink.problems };
  const parsed = NetworkSchema.safeParse(input.value, PARSE_PARAMS);
  if (!parsed.success) {
    sink.push(...issuesToProblems(parsed.error.issues, sink.file));
    return { ok: false, problems: sink.problems };
  }
  const network = parsed.data;
  const unresolved = resolveNetworkSecrets(network, options.env ?? process.env, sink);
  validateNetwork(network, sink, { stem: options.stem, now: options.now, unresolved });
  return sink.hasErrors
    ? { ok: false, problems: sink.problems }
    : { ok: true, value: network, problems: sink.problems };
}
