/**
 * What a worker announces about itself in its membership entry (`Membership.join({ id, meta })`), so that the
 * operator view can show who owns which shards and how loaded each worker is without asking the workers. Member
 * metadata is flat (`string | number | boolean | null`), so the shard list travels as compact ranges (`"0-63,128"`).
 * Pure: no I/O.
 */
import type { MemberMeta } from "../shard/index.js";

/** The keys a worker sets; every one optional to readers (an older worker may set fewer). */
export interface WorkerAnnouncement {
  /** Shards the worker consumes now. */
  shards: readonly number[];
  /** Tenants in those shards with at least one active monitor. */
  tenants?: number;
  /** Active monitors of those tenants (the evaluation load). */
  monitors?: number;
  host?: string;
  pid?: number;
}

/** The membership metadata of a worker: `{ role: "worker", shards: "0-3,9", tenants, monitors, host, pid }`. */
export function workerMeta(announcement: WorkerAnnouncement): MemberMeta {
  const meta: Record<string, string | number> = { role: "worker", shards: encodeShards(announcement.shards) };
  if (announcement.tenants !== undefined) meta.tenants = announcement.tenants;
  if (announcement.monitors !== undefined) meta.monitors = announcement.monitors;
  if (announcement.host !== undefined) meta.host = announcement.host;
  if (announcement.pid !== undefined) meta.pid = announcement.pid;
  return meta;
}

/** Sorted, deduplicated shard numbers as ranges: `[0,1,2,3,9]` → `"0-3,9"`; `[]` → `""`. */
export function encodeShards(shards: readonly number[]): string {
  const sorted = [...new Set(shards)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i] as number;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) {
      end += 1;
      i += 1;
    }
    parts.push(start === end ? `${start}` : `${start}-${end}`);
    i += 1;
  }
  return parts.join(",");
}

/** The inverse of `encodeShards`; `null` when `text` is not a range list (a reader must not trust a bad value). */
export function decodeShards(text: string): number[] | null {
  if (text === "") return [];
  const out: number[] = [];
  for (const part of text.split(",")) {
    const found = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(part.trim());
    if (found === null) return null;
    const start = Number(found[1]);
    const end = found[2] === undefined ? start : Number(found[2]);
    if (end < start) return null;
    for (let shard = start; shard <= end; shard++) out.push(shard);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** A worker's announcement read back from its metadata; fields it did not set (or set wrongly) are `null`. */
export function readWorkerMeta(meta: MemberMeta): {
  shards: number[] | null;
  tenants: number | null;
  monitors: number | null;
  host: string | null;
  pid: number | null;
} {
  const int = (value: unknown) => (typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : null);
  return {
    shards: typeof meta.shards === "string" ? decodeShards(meta.shards) : null,
    tenants: int(meta.tenants),
    monitors: int(meta.monitors),
    host: typeof meta.host === "string" ? meta.host : null,
    pid: int(meta.pid),
  };
}
