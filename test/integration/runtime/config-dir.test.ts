/**
 * The OZ config directory `argus start --config-dir` takes, for the one-process runtime and the role processes
 * alike (`loadValidConfig`, `importConfigDir`): validated first, then the built-in tenant's configuration, its
 * networks platform networks, replacing what the tenant had. PGlite and PostgreSQL.
 */
import { afterEach, expect, it } from "vitest";
import { ConfigError } from "../../../src/config/index.js";
import { createLogger } from "../../../src/ops/index.js";
import { importConfigDir, loadValidConfig } from "../../../src/runtime/index.js";
import { createKeyring } from "../../../src/secrets/index.js";
import { DEFAULT_TENANT_ID, monitors, networks } from "../../../src/store/index.js";
import { type TempConfigDir, tempConfigDir } from "../../support/config-dir.js";
import { describeStoreContract } from "../store/support.js";
import { bareMonitorJson, networkJson } from "./support.js";

const options = { env: {}, logger: createLogger({ level: "silent" }) };
const keyring = createKeyring({ keys: [{ id: "test", key: Buffer.alloc(32, 3) }] });

describeStoreContract("runtime config directory: validated, then imported for the built-in tenant", (handle) => {
  const dirs: TempConfigDir[] = [];
  const configDir = () => {
    const dir = tempConfigDir();
    dirs.push(dir);
    dir.write("networks/hardhat_local.json", networkJson("http://127.0.0.1:8545"));
    dir.write("triggers/triggers.json", {});
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.close();
  });

  it("importConfigDir() stores the networks as platform networks and replaces the tenant's monitors", async () => {
    const first = configDir();
    first.write("monitors/transfers.json", bareMonitorJson("Transfers"));
    const imported = await importConfigDir(handle.store, await loadValidConfig(first.dir, options), {
      ...options,
      keyring,
    });
    expect(imported.saved).toMatchObject({ networks: ["hardhat_local"], monitors: ["Transfers"] });
    expect((await networks.getBySlug(handle.store, null, "hardhat_local"))?.tenantId).toBeNull();
    expect(await monitors.getByName(handle.store, DEFAULT_TENANT_ID, "Transfers")).not.toBeNull();

    const second = configDir();
    second.write("monitors/approvals.json", bareMonitorJson("Approvals"));
    const replaced = await importConfigDir(handle.store, await loadValidConfig(second.dir, options), {
      ...options,
      keyring,
    });
    expect(replaced.removed.monitors).toEqual(["Transfers"]);
    expect((await monitors.list(handle.store, DEFAULT_TENANT_ID)).map((m) => m.name)).toEqual(["Approvals"]);
  });

  it("loadValidConfig() refuses a directory with errors, naming the problem, before anything is stored", async () => {
    const broken = configDir();
    broken.write("monitors/transfers.json", bareMonitorJson("Transfers", { network: "nowhere" }));
    const error = await loadValidConfig(broken.dir, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("CONFIG_UNKNOWN_NETWORK");
    expect((error as ConfigError).message).toContain("Unknown network 'nowhere'");
    expect(await monitors.list(handle.store, DEFAULT_TENANT_ID)).toEqual([]);
  });
});
