/** The report as text for a terminal (`argus status`): one aligned table per part. Pure. */
import type { SectionError, StatusReport } from "./report.js";

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

const dash = (value: string | number | null | undefined): string =>
  value === null || value === undefined ? "-" : String(value);

function problem(error: SectionError | undefined): string {
  return error === undefined ? "" : `  unavailable: ${error.code}: ${error.message}\n`;
}

function heading(title: string, part: { state: string; source: string | null; error?: SectionError }): string {
  if (part.state === "not_configured") return `${title}: not configured\n`;
  return `${title} (${part.source ?? "-"})\n${problem(part.error)}`;
}

function age(seconds: number | null): string {
  if (seconds === null) return "-";
  if (seconds < 120) return `${Math.round(seconds)}s ago`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3_600)}h ago`;
}

/** Renders the whole report; sections that are not configured say so in one line. */
export function formatStatus(report: StatusReport): string {
  const out: string[] = [
    `Argus status at ${report.generatedAt} (store: ${report.store.driver} ${report.store.location})`,
  ];

  const networks = report.networks;
  out.push(
    `${heading("Networks", networks)}${
      networks.items.length === 0
        ? "  (none)"
        : table(
            ["NETWORK", "TYPE", "HEAD", "CURSOR", "LAG", "CURSOR MOVED", "NOTE"],
            networks.items.map((n) => [
              n.tenantId === null ? n.slug : `${n.slug} (tenant ${n.tenantId.slice(0, 8)})`,
              n.type,
              n.head === null ? "-" : `${n.head}${n.headSource === "cache" ? " (cache)" : ""}`,
              dash(n.cursor),
              dash(n.lag),
              age(n.cursorAgeSeconds),
              n.headError === undefined ? "" : `head: ${n.headError.code}`,
            ]),
          )
    }`,
  );

  const leaders = report.ingestLeaders;
  out.push(
    `${heading("Ingest leaders", leaders)}${
      leaders.state === "not_configured"
        ? ""
        : leaders.items.length === 0
          ? "  (no networks)"
          : table(
              ["NETWORK", "LEADER", "CLIENT", "SINCE"],
              leaders.items.map((l) => [
                l.slug,
                l.holder === null ? "(none)" : l.holder.id,
                dash(l.holder?.client),
                dash(l.holder?.since),
              ]),
            )
    }`,
  );

  const workers = report.workers;
  const shardNote =
    workers.unownedShards === null || workers.shardCount === null
      ? ""
      : `\n  shards: ${workers.shardCount - workers.unownedShards}/${workers.shardCount} owned`;
  out.push(
    `${heading("Workers", workers)}${
      workers.state === "not_configured"
        ? ""
        : workers.items.length === 0
          ? "  (no live workers)"
          : table(
              ["WORKER", "HOST", "PID", "SHARDS", "TENANTS", "MONITORS", "EXPIRES"],
              workers.items.map((w) => [
                w.id,
                dash(w.host),
                dash(w.pid),
                w.shards === null ? "-" : `${w.shards.length}`,
                dash(w.tenants),
                dash(w.monitors),
                w.expiresAt,
              ]),
            )
    }${shardNote}`,
  );

  const streams = report.streams;
  const consumerRows = streams.items.flatMap((stream) =>
    stream.consumers.map((c) => [
      stream.log,
      c.name,
      String(c.pending),
      String(c.ackPending),
      String(c.redelivered),
      String(c.ackFloor),
    ]),
  );
  out.push(
    `${heading("Consumer lag", streams)}${
      streams.state === "not_configured"
        ? ""
        : `${streams.items.map((s) => `  ${s.log}: ${dash(s.messages)} messages, last sequence ${dash(s.lastSequence)}`).join("\n")}\n${
            consumerRows.length === 0
              ? "  (no consumers)"
              : table(["LOG", "CONSUMER", "PENDING", "ACK PENDING", "REDELIVERED", "ACK FLOOR"], consumerRows)
          }`
    }`,
  );

  const deliveries = report.deliveries;
  if (deliveries.counts === null) {
    out.push(`Deliveries\n${problem(deliveries.error)}`);
  } else {
    const c = deliveries.counts;
    out.push(
      `Deliveries\n${table(
        ["PENDING", "IN FLIGHT", "DELIVERED", "DEAD LETTERS", "SUPPRESSED", "RETRYING", "OLDEST DUE"],
        [
          [
            String(c.byStatus.pending),
            String(c.byStatus.in_flight),
            String(c.byStatus.delivered),
            String(c.deadLetters),
            String(c.byStatus.suppressed),
            String(c.retrying),
            dash(c.oldestDueAt),
          ],
        ],
      )}`,
    );
  }
  return `${out.join("\n\n")}\n`;
}
