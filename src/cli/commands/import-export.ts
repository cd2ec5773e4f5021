import path from "node:path";
import { formatProblem } from "../../config/index.js";
import {
  exportBundle,
  importBundle,
  PortableCode,
  PortableError,
  readConfigDir,
  writeConfigDir,
} from "../../portable/index.js";
import { PLAN_LIMITS, type Store, type Tenant, tenants } from "../../store/index.js";
import { type CliIo, defineCommand, EXIT_FAILURE, EXIT_OK, requireOption, UsageError } from "../command.js";
import { openStore, STORE_DETAILS, storeOptions, withStore } from "../store.js";

export const importCommand = defineCommand({
  name: "import",
  summary: "Import an OZ config directory into a tenant (validated first; all or nothing).",
  usage:
    "argus import --tenant SLUG --config-dir DIR [--plan PLAN] [--replace] [--platform-networks] [--data-dir DIR | --database-url URL]",
  details: [
    "  --tenant SLUG       The tenant (created with this slug when it does not exist)",
    `  --plan PLAN         The plan of a tenant created here (${Object.keys(PLAN_LIMITS).join(", ")}; default free):`,
    "                      its limits apply to the import too",
    "  --config-dir DIR    OZ config directory (networks/, monitors/, triggers/, filters/)",
    "  --replace           Delete the tenant's monitors, triggers, scripts and private networks the directory lacks",
    "  --platform-networks Store the networks as platform-wide networks (operator) instead of private to the tenant",
    ...STORE_DETAILS,
    "",
  ].join("\n"),
  options: {
    tenant: { type: "string" },
    plan: { type: "string" },
    "config-dir": { type: "string" },
    replace: { type: "boolean" },
    "platform-networks": { type: "boolean" },
    ...storeOptions,
  },
  async run(values, io) {
    const slug = requireOption(values.tenant, "--tenant");
    if (values.plan !== undefined && !(values.plan in PLAN_LIMITS)) {
      throw new UsageError(`--plan must be one of ${Object.keys(PLAN_LIMITS).join(", ")}, got '${values.plan}'`);
    }
    const dir = path.resolve(io.cwd, requireOption(values["config-dir"], "--config-dir"));
    const bundle = await readConfigDir(dir);
    return withStore(await openStore(values, io), async (store, keyring) => {
      const tenant = (await tenants.getBySlug(store, slug)) ?? (await createTenant(store, slug, values.plan, io));
      try {
        const result = await importBundle(store, tenant.id, bundle, {
          keyring,
          ...(values.replace ? { replace: true } : {}),
          ...(values["platform-networks"] ? { platformNetworks: true } : {}),
        });
        const { saved, removed } = result;
        io.stdout(
          `Imported into tenant '${slug}': ${saved.networks.length} network(s), ${saved.monitors.length} monitor(s), ${saved.triggers.length} trigger(s), ${saved.scripts.length} script(s) created or changed` +
            (values.replace
              ? `; removed ${removed.networks.length + removed.monitors.length + removed.triggers.length + removed.scripts.length}`
              : "") +
            ".\n",
        );
        return EXIT_OK;
      } catch (error) {
        if (error instanceof PortableError && error.code === PortableCode.Invalid) {
          for (const problem of error.problems) io.stdout(`${formatProblem(problem)}\n`);
          io.stderr(`argus import: ${error.message}\n`);
          return EXIT_FAILURE;
        }
        throw error;
      }
    });
  },
});

async function createTenant(store: Store, slug: string, plan: string | undefined, io: CliIo): Promise<Tenant> {
  const tenant = await tenants.create(store, { slug, name: slug, ...(plan === undefined ? {} : { plan }) });
  io.stderr(`Created tenant '${slug}' (${tenant.id}, plan ${tenant.plan}).\n`);
  return tenant;
}

export const exportCommand = defineCommand({
  name: "export",
  summary: "Export a tenant's configuration as an OZ config directory.",
  usage: "argus export --tenant SLUG --out DIR [--data-dir DIR | --database-url URL]",
  details: [
    "  --tenant SLUG       The tenant",
    "  --out DIR           Directory to write (networks/, monitors/, triggers/, scripts); created if needed",
    ...STORE_DETAILS,
    "",
  ].join("\n"),
  options: { tenant: { type: "string" }, out: { type: "string" }, ...storeOptions },
  async run(values, io) {
    const slug = requireOption(values.tenant, "--tenant");
    const out = path.resolve(io.cwd, requireOption(values.out, "--out"));
    return withStore(await openStore(values, io), async (store, keyring) => {
      const tenant = await tenants.getBySlug(store, slug);
      if (tenant === null) {
        io.stderr(`argus export: no tenant '${slug}'.\n`);
        return EXIT_FAILURE;
      }
      const bundle = await exportBundle(store, tenant.id, { keyring });
      await writeConfigDir(out, bundle);
      const count = (record: object) => Object.keys(record).length;
      io.stdout(
        `Exported tenant '${slug}' to ${out}: ${count(bundle.networks)} network file(s), ${count(bundle.monitors)} monitor file(s), ${count(bundle.triggers)} trigger file(s), ${count(bundle.scripts)} script(s).\n`,
      );
      return EXIT_OK;
    });
  },
});
