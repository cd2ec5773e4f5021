import { expect, it } from "vitest";
import { deliveries, matches, monitors, tenants } from "../../../src/store/index.js";
import { describeStoreContract, newMatch, seedWorld } from "./support.js";

const claim = (store: Parameters<typeof deliveries.claimDue>[0], at: Date) =>
  deliveries.claimDue(store, { now: at, limit: 10, owner: "test", leaseMs: 30_000 });

describeStoreContract("deliveries of suspended tenants and paused monitors are held", (h) => {
  it("claims nothing of a suspended tenant, and everything again once it is active; rows stay pending", async () => {
    const world = await seedWorld(h.store, "11111111-1111-1111-1111-111111111111");
    const now = new Date();
    await matches.insertMany(h.store, [newMatch(world, 10n)], now);
    await tenants.setStatus(h.store, world.tenantId, "suspended");
    expect(await claim(h.store, new Date(now.getTime() + 1_000))).toEqual([]);
    const held = await deliveries.list(h.store, { tenantId: world.tenantId });
    expect(held.items.map((d) => d.status)).toEqual(["pending", "pending"]);

    await tenants.setStatus(h.store, world.tenantId, "active");
    const claimed = await claim(h.store, new Date(now.getTime() + 2_000));
    expect(claimed.map((c) => c.delivery.triggerKey).sort()).toEqual(["audit", "ops"]);
  });

  it("claims nothing of a paused or deleted monitor; resumed, its deliveries go out", async () => {
    const world = await seedWorld(h.store);
    const other = await seedWorld(h.store);
    const now = new Date();
    await matches.insertMany(h.store, [newMatch(world, 20n), newMatch(other, 21n)], now);
    await monitors.save(h.store, {
      tenantId: world.tenantId,
      id: world.monitor.id,
      name: world.monitor.name,
      config: world.monitor.config,
      paused: true,
    });
    const first = await claim(h.store, new Date(now.getTime() + 1_000));
    expect(new Set(first.map((c) => c.delivery.monitorId))).toEqual(new Set([other.monitor.id]));

    await monitors.save(h.store, {
      tenantId: world.tenantId,
      id: world.monitor.id,
      name: world.monitor.name,
      config: world.monitor.config,
      paused: false,
    });
    const second = await claim(h.store, new Date(now.getTime() + 2_000));
    expect(second.map((c) => c.delivery.monitorId)).toEqual([world.monitor.id, world.monitor.id]);

    await matches.insertMany(h.store, [newMatch(world, 22n)], now);
    await monitors.remove(h.store, world.tenantId, world.monitor.id);
    expect(await claim(h.store, new Date(now.getTime() + 3_000))).toEqual([]);
  });
});
