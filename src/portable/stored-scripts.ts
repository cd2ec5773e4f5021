/**
 * The tenant's stored script files (`trigger_scripts`), as import/export and the runtime use them: one adapter so the
 * rest does not depend on the repository's exact shape.
 */
import { type Store, triggerScripts } from "../store/index.js";

export interface StoredScriptFile {
  id: string;
  path: string;
  language: "Python" | "JavaScript" | "Bash";
  content: string;
  version: number;
}

export interface StoredScripts {
  list(store: Store, tenantId: string): Promise<StoredScriptFile[]>;
  /** Creates or updates the script at `path`; `true` when something changed. */
  save(
    store: Store,
    script: { tenantId: string; path: string; language: StoredScriptFile["language"]; content: string },
  ): Promise<boolean>;
  remove(store: Store, tenantId: string, id: string): Promise<void>;
}

export function storedScripts(): StoredScripts {
  return {
    list: (store, tenantId) => triggerScripts.list(store, tenantId),
    async save(store, script) {
      const before = await triggerScripts.getByPath(store, script.tenantId, script.path);
      const saved = await triggerScripts.save(store, script);
      return before === null || before.version !== saved.version;
    },
    remove: (store, tenantId, id) => triggerScripts.remove(store, tenantId, id),
  };
}
