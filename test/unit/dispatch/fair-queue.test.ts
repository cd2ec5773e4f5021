import { describe, expect, it } from "vitest";
import { FairQueue } from "../../../src/dispatch/fair-queue.js";

function fill(queue: FairQueue<string>, tenantId: string, count: number, startBy = 1_000): void {
  for (let i = 0; i < count; i++) queue.push({ tenantId, value: `${tenantId}${i}`, startBy });
}

const taken = (queue: FairQueue<string>, now = 0) => queue.take(now).map((c) => c.value);

describe("FairQueue", () => {
  it("serves tenants round-robin, oldest claim first within a tenant", () => {
    const queue = new FairQueue<string>({ maxRunning: 5, maxRunningPerTenant: 5 });
    fill(queue, "a", 4);
    fill(queue, "b", 2);
    fill(queue, "c", 1);
    expect(taken(queue)).toEqual(["a0", "b0", "c0", "a1", "b1"]);
    expect(queue.running).toBe(5);
    expect(queue.queued).toBe(2);
  });

  it("caps one tenant's running attempts, so its backlog leaves slots to others", () => {
    const queue = new FairQueue<string>({ maxRunning: 10, maxRunningPerTenant: 2 });
    fill(queue, "slow", 6);
    expect(taken(queue)).toEqual(["slow0", "slow1"]);
    fill(queue, "fast", 1);
    expect(taken(queue)).toEqual(["fast0"]);
    expect(queue.runningFor("slow")).toBe(2);
    queue.finish("slow");
    expect(taken(queue)).toEqual(["slow2"]);
  });

  it("respects the global cap and resumes as attempts finish", () => {
    const queue = new FairQueue<string>({ maxRunning: 2, maxRunningPerTenant: 2 });
    fill(queue, "a", 2);
    fill(queue, "b", 2);
    expect(taken(queue)).toEqual(["a0", "b0"]);
    expect(taken(queue)).toEqual([]);
    queue.finish("a");
    expect(taken(queue)).toEqual(["a1"]);
    queue.finish("b");
    expect(taken(queue)).toEqual(["b1"]);
    expect(queue.queued).toBe(0);
  });

  it("starts a claim at its deadline over the caps, so its lease never runs out unattempted", () => {
    const queue = new FairQueue<string>({ maxRunning: 1, maxRunningPerTenant: 1 });
    queue.push({ tenantId: "a", value: "a0", startBy: 100 });
    queue.push({ tenantId: "a", value: "a1", startBy: 100 });
    queue.push({ tenantId: "a", value: "a2", startBy: 200 });
    expect(taken(queue, 0)).toEqual(["a0"]);
    expect(queue.nextDeadline()).toBe(100);
    expect(taken(queue, 99)).toEqual([]);
    expect(taken(queue, 100)).toEqual(["a1"]);
    expect(queue.running).toBe(2);
    expect(queue.nextDeadline()).toBe(200);
  });

  it("clear() hands back every waiting claim", () => {
    const queue = new FairQueue<string>({ maxRunning: 1, maxRunningPerTenant: 1 });
    fill(queue, "a", 2);
    fill(queue, "b", 1);
    taken(queue);
    expect(
      queue
        .clear()
        .map((c) => c.value)
        .sort(),
    ).toEqual(["a1", "b0"]);
    expect(queue.queued).toBe(0);
    expect(queue.nextDeadline()).toBeUndefined();
  });
});
