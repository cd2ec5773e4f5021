import { type MonitorMatch, type MonitorMatchJson, toMatchJson } from "../../engine/index.js";

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    // A bigint somewhere in the match: write it as a decimal string rather than failing the script.
    if (error instanceof TypeError) {
      return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    }
    throw error;
  }
}

/** The match as scripts receive it (`{"EVM": {...}}`), serialised once and reused for each script of the match. */
export function matchJsonText(match: MonitorMatch | MonitorMatchJson): string {
  return stringify("payload" in match && "chain" in match ? toMatchJson(match) : match);
}

/**
 * The stdin document of trigger conditions and script notifications (OZ §8, §9.3):
 * `{"monitor_match": <match JSON>, "args": <arguments array or null>}`, compact.
 *
 * @example
 * scriptInput(matchJsonText(match), ["--verbose"]); // '{"monitor_match":{"EVM":{…}},"args":["--verbose"]}'
 */
export function scriptInput(matchJson: string, args: readonly string[] | null | undefined): string {
  return `{"monitor_match":${matchJson},"args":${args == null ? "null" : JSON.stringify(args)}}`;
}
