/**
 * Three OS processes contend for one PostgreSQL lease: exactly one holds it at any time; SIGKILL of the holder hands
 * it to exactly one of the others within seconds (the server frees the dead session's lock), and so on.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { LEASE_DATABASE_URL, uniqueName, waitFor } from "./support.js";

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "contender.child.ts");

interface Contender {
  child: ChildProcess;
  pid: number;
  events: string[];
  exited: boolean;
}

function startContender(name: string): Contender {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, LEASE_DATABASE_URL, name], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const contender: Contender = { child, pid: child.pid ?? -1, events: [], exited: false };
  createInterface({ input: child.stdout! }).on("line", (line) => {
    contender.events.push((JSON.parse(line) as { event: string }).event);
  });
  child.on("exit", () => {
    contender.exited = true;
  });
  return contender;
}

const holding = (all: Contender[]): Contender[] =>
  all.filter((c) => !c.exited && c.events.includes("acquired") && !c.events.includes("lost"));

describe("postgres lease across processes", () => {
  const started: Contender[] = [];
  afterEach(() => {
    for (const contender of started.splice(0)) if (!contender.exited) contender.child.kill("SIGKILL");
  });

  it("exactly one of three holds it; each SIGKILL of the holder hands it to exactly one other within seconds", async () => {
    const name = uniqueName("multi");
    const contenders = [startContender(name), startContender(name), startContender(name)];
    started.push(...contenders);
    await waitFor(() => contenders.every((c) => c.events.includes("waiting")), 20_000, "all contenders to start");
    await waitFor(() => holding(contenders).length === 1, 10_000, "a first holder");

    for (let round = 0; round < 2; round++) {
      const [holder] = holding(contenders);
      // Nobody else takes it while the holder lives.
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(holding(contenders).map((c) => c.pid)).toEqual([holder?.pid]);
      const killedAt = Date.now();
      holder?.child.kill("SIGKILL");
      await waitFor(() => holder?.exited === true, 5_000, "the holder to die");
      await waitFor(() => holding(contenders).length === 1, 5_000, "a new holder");
      expect(Date.now() - killedAt).toBeLessThan(5_000);
      const [next] = holding(contenders);
      expect(next?.pid).not.toBe(holder?.pid);
      // Still exactly one after a while (no second holder sneaking in).
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(holding(contenders)).toHaveLength(1);
    }
    // Every contender held it once, in turn; none ever reported a loss.
    expect(contenders.filter((c) => c.events.includes("acquired"))).toHaveLength(3);
    expect(contenders.some((c) => c.events.includes("lost"))).toBe(false);
  }, 60_000);
});
