/**
 * Trigger conditions (OZ §8) and the script runner they share with the `script` notification channel.
 *
 * - `runScript` runs one Python/Bash/JavaScript script with a time-out, output limits and the operator's settings,
 *   and returns a `ScriptOutcome` value. JavaScript runs in a sandbox (Worker + `node:vm`, no host objects);
 *   Python and Bash are subprocesses with a minimal environment, killed as a process group, and can be disabled
 *   (`allowPython` / `allowBash`, on by default for the single-tenant CLI, off for untrusted tenants).
 * - `evaluateTriggerConditions` applies a monitor's conditions to a match: a script printing `true` drops it;
 *   `false`, errors and time-outs keep it (OZ semantics).
 *
 * Does file and process I/O; imports `config` and `engine` types only. Logging is the caller's job: failures come
 * back as `ScriptError` values.
 *
 * @example
 * const { sources } = await loadScriptSources(loaded.scripts);
 * const conditions = prepareTriggerConditions(monitor.trigger_conditions, sources);
 * const { drop, results } = await evaluateTriggerConditions(match, conditions, { settings: { allowBash: false } });
 */
export { ScriptError, ScriptErrorCode } from "./errors.js";
export {
  type ConditionResult,
  type EvaluateTriggerConditionsOptions,
  evaluateTriggerConditions,
  prepareTriggerConditions,
  type TriggerConditionScript,
  type TriggerConditionsResult,
} from "./evaluate.js";
export { matchJsonText, scriptInput } from "./input.js";
export { type LoadedScriptSources, type LoadScriptSourcesOptions, loadScriptSources } from "./load.js";
export { type ConditionVerdict, parseConditionOutput } from "./output.js";
export { runScript } from "./run-script.js";
export { defaultScriptSettings, resolveScriptSettings } from "./settings.js";
export type {
  ResolvedScriptSettings,
  RunScriptOptions,
  ScriptLanguage,
  ScriptOutcome,
  ScriptSettings,
} from "./types.js";
