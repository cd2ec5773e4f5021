/**
 * When each monitor became active, as the runtime reads it from the store (`loadDesiredState`): creation, the last
 * unpause (from the config history), the tenant's last reactivation (`tenants.status_changed_at`), whichever is
 * latest. Edits of an active monitor and a no-op status change keep it. PGlite and PostgreSQL.
 */
import { expect, it } from "vitest";
import { createLogger } from "../../../src/ops/index.js";
import { loadDesiredState } from "../../../src/runtime/desired.js";
import { monitors, networks, type Store, tenants } from "../../../src/store/index.js";
import { describeStoreContract } from "../store/support.js";
import { bareMonitorJson } from "./support.js";

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));

async function activeSince(store: Store): Promise<Record<string, string>> {
  const state = await loadDesiredState(store, {
    env: {},
    logger: createLogger({ level: "silent" }),
    scripts: async () => new Map(),
  });
  const result: Record<string, string> = {};
  for (const network of state.networks.values()) {
    for (const definition of network.definitions) {
      result[definition.monitor.name] = new Date(definition.activeSince!).toISOString();
    }
  }
  return result;
}

describeStoreContract("runtime desired state: when monitors became active", (handle) => {
  it("follows creation, unpauses and tenant reactivations, not edits or no-op status changes", async () => {
    const { store } = handle;
    await networks.save(store, {
      tenantId: null,
      slug: "hardhat_local",
      networkType: "EVM",
      config: {
        network_type: "EVM",
        slug: "hardhat_local",
        name: "Hardhat Local",
        rpc_urls: [{ type_: "rpc", url: { type: "Plain", value: "http://127.0.0.1:8545" }, weight: 100 }],
        chain_id: 31337,
        block_time_ms: 250,
        confirmation_blocks: 1,
        cron_schedule: "*/5 * * * * *",
        max_past_blocks: 10,
        store_blocks: false,
      },
    });
    const tenant = await tenants.create(store, { slug: "acme", name: "Acme" });
    const save = (name: string, now: Date, options: { id?: string; paused?: boolean; expression?: string } = {}) =>
      monitors.save(
        store,
        {
          tenantId: tenant.id,
          ...(options.id === undefined ? {} : { id: options.id }),
          name,
          config: bareMonitorJson(name, { expression: options.expression, paused: options.paused }),
          paused: options.paused ?? false,
        },
        now,
      );

    const a = await save("A", at(1));
    expect(await activeSince(store)).toEqual({ A: at(1).toISOString() });

    // An edit of an active monitor keeps its activation.
    await save("A", at(2), { id: a.id, expression: "value > 1" });
    expect(await activeSince(store)).toEqual({ A: at(1).toISOString() });

    // Paused (gone), resumed (from the resume), edited again (kept).
    await save("A", at(3), { id: a.id, expression: "value > 1", paused: true });
    expect(await activeSince(store)).toEqual({});
    await save("A", at(4), { id: a.id, expression: "value > 1" });
    await save("A", at(5), { id: a.id, expression: "value > 2" });
    // Created paused, then resumed.
    const b = await save("B", at(5), { paused: true });
    await save("B", at(6), { id: b.id });
    expect(await activeSince(store)).toEqual({ A: at(4).toISOString(), B: at(6).toISOString() });

    // Suspended (gone), reactivated: no monitor of the tenant is active before the reactivation.
    await tenants.setStatus(store, tenant.id, "suspended", at(7));
    expect(await activeSince(store)).toEqual({});
    await tenants.setStatus(store, tenant.id, "active", at(8));
    expect(await activeSince(store)).toEqual({ A: at(8).toISOString(), B: at(8).toISOString() });
    // Setting the status it already has changes nothing.
    await tenants.setStatus(store, tenant.id, "active", at(9));
    expect((await tenants.get(store, tenant.id))?.statusChangedAt?.toISOString()).toBe(at(8).toISOString());
    // A monitor resumed after the reactivation is active from its resume.
    await save("B", at(10), { id: b.id, paused: true });
    await save("B", at(11), { id: b.id });
    expect(await activeSince(store)).toEqual({ A: at(8).toISOString(), B: at(11).toISOString() });
  });
});
