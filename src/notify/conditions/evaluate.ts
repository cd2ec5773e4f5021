import type { TriggerCondition } from "../../config/index.js";
import type { MonitorMatch, MonitorMatchJson } from "../../engine/index.js";
import { ScriptError, ScriptErrorCode } from "./errors.js";
import { matchJsonText, scriptInput } from "./input.js";
import { parseConditionOutput } from "./output.js";
import { runScript } from "./run-script.js";
import type { ScriptLanguage, ScriptOutcome, ScriptSettings } from "./types.js";

/** A monitor's trigger condition with its script content resolved (or not: then it cannot drop the match). */
export interface TriggerConditionScript {
  /** As configured; shown in results. */
  script_path: string;
  /** `undefined` when no content was loaded for the condition (OZ: "script content not found" → keep). */
  script: { language: ScriptLanguage; source: string } | undefined;
  arguments: readonly string[] | null;
  timeout_ms: number;
}

/** What one condition said about a match. */
export interface ConditionResult {
  /** Position in the monitor's `trigger_conditions`. */
  index: number;
  scriptPath: string;
  /** `true`: drop the match; `false`: keep it; `null`: the condition failed (which keeps the match). */
  value: boolean | null;
  /** Why the condition failed (`value === null`). */
  error: ScriptError | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface TriggerConditionsResult {
  /** `true` when a condition printed `true`: the match is not notified. */
  drop: boolean;
  /** One entry per condition run, in order; evaluation stops at the first `true`. */
  results: ConditionResult[];
}

export interface EvaluateTriggerConditionsOptions {
  settings?: ScriptSettings;
  /** Aborting kills the running script and stops; the match is then kept (`drop: false`). */
  signal?: AbortSignal;
}

/**
 * Pairs a monitor's `trigger_conditions` with loaded script contents, keyed by `script_path` as configured (see
 * `loadScriptSources`).
 */
export function prepareTriggerConditions(
  conditions: readonly TriggerCondition[],
  sources: ReadonlyMap<string, string>,
): TriggerConditionScript[] {
  return conditions.map((condition) => {
    const source = sources.get(condition.script_path);
    return {
      script_path: condition.script_path,
      script: source === undefined ? undefined : { language: condition.language, source },
      arguments: condition.arguments,
      timeout_ms: condition.timeout_ms,
    };
  });
}

function resultOf(index: number, scriptPath: string, outcome: ScriptOutcome): ConditionResult {
  const base = { index, scriptPath, stdout: outcome.stdout, stderr: outcome.stderr, durationMs: outcome.durationMs };
  if (!outcome.ok) return { ...base, value: null, error: outcome.error };
  const verdict = parseConditionOutput(outcome.stdout);
  return verdict.ok ? { ...base, value: verdict.value, error: null } : { ...base, value: null, error: verdict.error };
}

/**
 * Runs a match through its monitor's trigger conditions (OZ §8), in order. Each script gets
 * `{"monitor_match": <match JSON>, "args": <arguments or null>}` on stdin; the last line of its stdout decides.
 *
 * OZ semantics, kept on purpose: a script printing `true` DROPS the match and stops the evaluation; `false`, a
 * failure, a time-out, a disabled language or missing content do not drop it. Failures are values in `results`
 * (for the caller to log); nothing throws.
 *
 * @example
 * const { drop, results } = await evaluateTriggerConditions(match, prepareTriggerConditions(monitor.trigger_conditions, sources));
 * if (!drop) await notify(match);
 */
export async function evaluateTriggerConditions(
  match: MonitorMatch | MonitorMatchJson,
  conditions: readonly TriggerConditionScript[],
  options: EvaluateTriggerConditionsOptions = {},
): Promise<TriggerConditionsResult> {
  const results: ConditionResult[] = [];
  if (conditions.length === 0) return { drop: false, results };
  const matchJson = matchJsonText(match);

  for (const [index, condition] of conditions.entries()) {
    if (options.signal?.aborted) break;
    if (condition.script === undefined) {
      results.push({
        index,
        scriptPath: condition.script_path,
        value: null,
        error: new ScriptError(
          ScriptErrorCode.ContentMissing,
          `Script content not found for ${JSON.stringify(condition.script_path)}`,
          { path: ["trigger_conditions", index, "script_path"], hint: "was the script file loaded at startup?" },
        ),
        stdout: "",
        stderr: "",
        durationMs: 0,
      });
      continue;
    }
    const outcome = await runScript({
      language: condition.script.language,
      source: condition.script.source,
      stdin: scriptInput(matchJson, condition.arguments),
      timeoutMs: condition.timeout_ms,
      signal: options.signal,
      settings: options.settings,
      filename: condition.script_path,
    });
    const result = resultOf(index, condition.script_path, outcome);
    results.push(result);
    if (result.value === true) return { drop: true, results };
  }
  return { drop: false, results };
}
