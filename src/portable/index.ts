/**
 * @module portable
 *
 * OZ config directories in and out of a tenant. A `ConfigBundle` is a config directory in memory, file by file in
 * OZ's layout (`networks/`, `monitors/`, `triggers/`, scripts such as `filters/…`): `readConfigDir` and
 * `writeConfigDir` move it to and from disk, `importBundle` validates it as `argus validate` does and stores it in
 * one transaction (all or nothing), `exportBundle` reads a tenant's configuration back out, losslessly for
 * everything OZ defines.
 *
 * @example
 * const bundle = await readConfigDir("./config");
 * await importBundle(store, tenantId, bundle);            // throws PortableError PORTABLE_INVALID with problems
 * await writeConfigDir("./exported", await exportBundle(store, tenantId));
 */
export { type ConfigBundle, emptyBundle } from "./bundle.js";
export { PortableCode, PortableError } from "./errors.js";
export { type ExportBundleOptions, exportBundle } from "./export.js";
export { readConfigDir, writeConfigDir } from "./files.js";
export { type ImportBundleOptions, type ImportBundleResult, importBundle } from "./import.js";
export { seal, secretContext, unseal } from "./secrets.js";
export { type StoredScriptFile, storedScripts } from "./stored-scripts.js";
export { type BundleValidation, type ValidateBundleOptions, validateBundle } from "./validate.js";
