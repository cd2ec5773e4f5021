/**
 * `script` triggers run the tenant's stored script (`trigger_scripts`), found by `script_path` the way trigger
 * conditions find theirs (`./config/scripts/x.sh` → `scripts/x.sh`), through a real dispatcher on PGlite and
 * PostgreSQL. Another tenant's script with the same path, and a file of the server's disk, are never used.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { createStoreScriptReader, recordMatches, replayDelivery } from "../../../src/dispatch/index.js";
import { DEFAULT_TENANT_ID, type Store, triggerScripts } from "../../../src/store/index.js";
import { describeStoreContract, waitFor } from "../store/support.js";
import { deliveryOf, registryFor, seedDispatchWorld, startDispatcher, stopDispatchers } from "./support.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "argus-stored-scripts-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => stopDispatchers());

function scriptTrigger(scriptPath: string) {
  return {
    name: "Script",
    trigger_type: "script",
    config: { language: "Bash", script_path: scriptPath, arguments: ["--from-test"], timeout_ms: 10_000 },
  };
}

/** A Bash script that writes its stdin (the match document) and a tag to `out`. */
const writer = (out: string, tag: string) => `printf '%s\\n' '${tag}' > '${out}'\ncat >> '${out}'\n`;

async function enqueue(store: Store, tenantId: string, scriptPath: string) {
  const world = await seedDispatchWorld(store, { tenantId, triggers: { run: scriptTrigger(scriptPath) } });
  const recorded = await recordMatches(store, world.matches.slice(0, 1), {
    networkId: world.network.id,
    triggers: registryFor(store),
  });
  return { world, id: recorded.pendingDeliveryIds[0]! };
}

describeStoreContract("script triggers run the tenant's stored scripts", (h) => {
  it("runs the stored script the configured path names, per tenant", async () => {
    const acmeOut = path.join(dir, `acme-${h.driver}.txt`);
    const betaOut = path.join(dir, `beta-${h.driver}.txt`);
    const acme = await enqueue(h.store, "acme-tenant", "./config/scripts/notify.sh");
    const beta = await enqueue(h.store, "beta-tenant", "./config/scripts/notify.sh");
    const save = (tenantId: string, content: string) =>
      triggerScripts.save(h.store, { tenantId, path: "scripts/notify.sh", language: "Bash", content });
    await save(acme.world.tenantId, writer(acmeOut, "acme"));
    await save(beta.world.tenantId, writer(betaOut, "beta"));

    const dispatcher = startDispatcher(h.store, { scripts: createStoreScriptReader(h.store) });
    await dispatcher.waitForAttempts(2);
    expect(await deliveryOf(h.store, acme.world.tenantId, acme.id)).toMatchObject({ status: "delivered" });
    expect(await deliveryOf(h.store, beta.world.tenantId, beta.id)).toMatchObject({ status: "delivered" });
    const [tag, input] = readFileSync(acmeOut, "utf8").split("\n");
    expect(tag).toBe("acme");
    const document = JSON.parse(input!) as { monitor_match: { EVM: { monitor: { name: string } } }; args: string[] };
    expect(document.monitor_match.EVM.monitor.name).toBe(acme.world.monitorConfig.name);
    expect(document.args).toEqual(["--from-test"]);
    expect(readFileSync(betaOut, "utf8").split("\n")[0]).toBe("beta");
  });

  it("never reads a tenant's script from the server's disk; the built-in tenant may fall back to its files", async () => {
    // A file that exists on the server at exactly the configured path.
    const onDisk = path.join(dir, `disk-${h.driver}.sh`);
    const diskOut = path.join(dir, `disk-${h.driver}.txt`);
    writeFileSync(onDisk, writer(diskOut, "disk"));
    const tenant = await enqueue(h.store, "gamma-tenant", onDisk);
    const builtIn = await enqueue(h.store, DEFAULT_TENANT_ID, onDisk);
    const fallbackOut = path.join(dir, `fallback-${h.driver}.txt`);

    const dispatcher = startDispatcher(h.store, {
      scripts: createStoreScriptReader(h.store, {
        fallback: (tenantId, scriptPath) =>
          tenantId === DEFAULT_TENANT_ID && scriptPath === onDisk ? writer(fallbackOut, "fallback") : undefined,
      }),
    });
    await dispatcher.waitForAttempts(2);
    const refused = await deliveryOf(h.store, tenant.world.tenantId, tenant.id);
    expect(refused.status).toBe("dead");
    expect(refused.lastError).toContain("NOTIFY_SCRIPT_NOT_FOUND");
    expect(refused.lastError).toContain("The tenant has no stored script at");
    expect(() => readFileSync(diskOut)).toThrow();
    expect(await deliveryOf(h.store, DEFAULT_TENANT_ID, builtIn.id)).toMatchObject({ status: "delivered" });
    expect(readFileSync(fallbackOut, "utf8").split("\n")[0]).toBe("fallback");

    // Uploaded later, the script is used when the dead delivery is replayed (read per attempt, no cache).
    await triggerScripts.save(h.store, {
      tenantId: tenant.world.tenantId,
      path: path.basename(onDisk),
      language: "Bash",
      content: writer(path.join(dir, `late-${h.driver}.txt`), "late"),
    });
    await replayDelivery(h.store, tenant.world.tenantId, tenant.id);
    dispatcher.wake();
    await waitFor(
      async () => (await deliveryOf(h.store, tenant.world.tenantId, tenant.id)).status === "delivered",
      10_000,
      "the replayed delivery",
    );
    expect(readFileSync(path.join(dir, `late-${h.driver}.txt`), "utf8").split("\n")[0]).toBe("late");
  });
});
