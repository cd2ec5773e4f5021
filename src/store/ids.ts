import { createHash } from "node:crypto";

/**
 * The delivery id: `0x` + 64 hex characters, the SHA-256 of the canonical JSON array
 * `["argus.delivery.v1", matchId, triggerKey]`. A pure function of the match and the trigger, so a replayed block
 * (same match id) maps to the same outbox row, and receivers see the same webhook id on every retry.
 *
 * @example
 * deliveryId("0x12…", "slack_ops") // "0x…" (always the same for these inputs)
 */
export function deliveryId(matchId: string, triggerKey: string): string {
  const canonical = JSON.stringify(["argus.delivery.v1", matchId, triggerKey]);
  return `0x${createHash("sha256").update(canonical).digest("hex")}`;
}
