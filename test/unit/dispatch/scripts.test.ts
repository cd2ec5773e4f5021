import { describe, expect, it } from "vitest";
import { storedScriptCandidates } from "../../../src/dispatch/index.js";

describe("stored script paths of a script trigger", () => {
  it("tries the configured path whole, then without its leading segments, dropping `.` segments", () => {
    expect(storedScriptCandidates("./config/scripts/notify.sh")).toEqual([
      "config/scripts/notify.sh",
      "scripts/notify.sh",
      "notify.sh",
    ]);
    expect(storedScriptCandidates("/abs//x.py")).toEqual(["abs/x.py", "x.py"]);
    expect(storedScriptCandidates("C:\\cfg\\a.js")).toEqual(["C:/cfg/a.js", "cfg/a.js", "a.js"]);
    expect(storedScriptCandidates("")).toEqual([]);
  });
});
