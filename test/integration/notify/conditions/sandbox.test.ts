/**
 * The JavaScript sandbox: the Node-like surface OZ scripts use, its limits, and escape attempts. Every attempt must
 * end as an error or time-out outcome while the host process, its environment and its globals stay untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScript, type ScriptOutcome, type ScriptSettings } from "../../../../src/notify/conditions/index.js";
import { fixtureScript } from "./support.js";

const SECRET = "argus-sandbox-secret-5b1e";

function js(source: string, options: { stdin?: string; timeoutMs?: number; settings?: ScriptSettings } = {}) {
  return runScript({
    language: "JavaScript",
    source,
    stdin: options.stdin ?? '{"monitor_match":{"EVM":{}},"args":null}',
    timeoutMs: options.timeoutMs ?? 5000,
    settings: options.settings,
  });
}

function failed(outcome: ScriptOutcome) {
  if (outcome.ok) throw new Error(`expected a failure, got success with stdout ${JSON.stringify(outcome.stdout)}`);
  return outcome;
}

let envBefore: Record<string, string | undefined>;
let globalsBefore: string[];
beforeAll(() => {
  process.env.ARGUS_SANDBOX_SECRET = SECRET;
  envBefore = { ...process.env };
  globalsBefore = Object.getOwnPropertyNames(globalThis).sort();
});
afterAll(() => {
  // Whatever the scripts below tried, the host process is as it was.
  expect({ ...process.env }).toEqual(envBefore);
  expect(Object.getOwnPropertyNames(globalThis).sort()).toEqual(globalsBefore);
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("polluted");
  expect(typeof Function.prototype.constructor("return 1")).toBe("function");
  delete process.env.ARGUS_SANDBOX_SECRET;
});

describe("the sandbox runs OZ-style Node scripts", () => {
  it("delivers stdin through process.stdin 'data' and 'end' and collects console.log", async () => {
    const outcome = await js(fixtureScript("evm_filter_block_number", "JavaScript"), {
      stdin: JSON.stringify({ monitor_match: { EVM: { transaction: { blockNumber: "0x10" } } }, args: null }),
    });
    expect(outcome).toMatchObject({ ok: true, exitCode: 0, stdout: "Block number 16 is even\ntrue\n", stderr: "" });
  });

  it("supports 'readable' + read(), async iteration and process.stdout.write", async () => {
    const readable = await js(
      "let s = ''; process.stdin.setEncoding('utf8'); process.stdin.on('readable', () => { let c; while ((c = process.stdin.read()) !== null) s += c; }); process.stdin.on('end', () => process.stdout.write(String(JSON.parse(s).args)));",
      { stdin: '{"args":["a"]}' },
    );
    expect(readable).toMatchObject({ ok: true, stdout: "a" });
    const iterated = await js(
      "(async () => { let s = ''; for await (const c of process.stdin) s += c; console.log(JSON.parse(s).n + 1); })();",
      { stdin: '{"n":41}' },
    );
    expect(iterated).toMatchObject({ ok: true, stdout: "42\n" });
  });

  it("emulates require('fs').readFileSync(0) for reading stdin, and nothing else of fs", async () => {
    const outcome = await js("const d = JSON.parse(require('fs').readFileSync(0, 'utf8')); console.log(d.args[0])", {
      stdin: '{"args":["--verbose"]}',
    });
    expect(outcome).toMatchObject({ ok: true, stdout: "--verbose\n" });
    const other = failed(await js("require('node:fs').readFileSync('/etc/passwd')"));
    expect(other.error.code).toBe("SCRIPT_SANDBOX_VIOLATION");
    expect(other.error.message).toBe(
      'Script sandbox violation: fs.readFileSync("/etc/passwd") is not available: the Argus script sandbox has no file system (only stdin, fd 0, can be read)',
    );
    expect(await js("console.log(Object.keys(require('fs')))")).toMatchObject({ stdout: "[ 'readFileSync' ]\n" });
  });

  it("formats console output like Node for the usual values", async () => {
    const outcome = await js(
      "console.log(true, 1, -0, 2n, null, undefined, 'str', [1, 'a', { b: [] }], { a: 1, 'b-c': 'x' }); console.log('%s=%d', 'n', 42, 'rest'); console.info('info'); console.error('to stderr'); console.warn('warn');",
    );
    expect(outcome).toMatchObject({
      ok: true,
      stdout: "true 1 -0 2n null undefined str [ 1, 'a', { b: [] } ] { a: 1, 'b-c': 'x' }\nn=42 rest\ninfo\n",
      stderr: "to stderr\nwarn\n",
    });
  });

  it("runs timers in due order, honours clearTimeout/clearInterval, and microtasks", async () => {
    const outcome = await js(`
      const out = [];
      let n = 0;
      const report = () => { if (n === 3 && out.includes("t30")) console.log(out.join(",")); };
      setTimeout(() => { out.push("t30"); report(); }, 30);
      setTimeout(() => out.push("t10"), 10);
      const cancelled = setTimeout(() => out.push("never"), 5);
      clearTimeout(cancelled);
      const iv = setInterval(() => { out.push("i" + ++n); if (n === 3) { clearInterval(iv); report(); } }, 1);
      setImmediate(() => out.push("immediate"));
      queueMicrotask(() => out.push("micro"));
      process.nextTick(() => out.push("tick"));
      Promise.resolve().then(() => out.push("promise"));
    `);
    expect(outcome.ok).toBe(true);
    const order = outcome.stdout.trim().split(",");
    expect(order.slice(0, 3)).toEqual(["micro", "tick", "promise"]);
    expect(order).toContain("immediate");
    expect(order.filter((x) => x.startsWith("i") && x !== "immediate")).toEqual(["i1", "i2", "i3"]);
    expect(order.indexOf("t10")).toBeLessThan(order.indexOf("t30"));
    expect(order).not.toContain("never");
  });

  it("gives process.argv, process.env empty and reports process.exit / exitCode", async () => {
    expect(await js("console.log(JSON.stringify([process.argv, process.env]))")).toMatchObject({
      ok: true,
      stdout: "[[],{}]\n",
    });
    const exited = failed(await js("console.log('before'); process.exit(3); console.log('after');"));
    expect(exited).toMatchObject({ exitCode: 3, stdout: "before\n" });
    expect(exited.error.code).toBe("SCRIPT_EXIT_NONZERO");
    const zero = await js("setTimeout(() => console.log('late'), 20); console.log('x'); process.exit(0);");
    expect(zero).toMatchObject({ ok: true, stdout: "x\n" });
    const code = failed(await js("process.exitCode = 2; setTimeout(() => console.log('done'), 5);"));
    expect(code).toMatchObject({ exitCode: 2, stdout: "done\n" });
  });

  it("treats an uncaught exception, a rejected promise and a syntax error as a failed execution", async () => {
    const thrown = failed(await js("throw new Error('boom')"));
    expect(thrown.exitCode).toBe(1);
    expect(thrown.error.message).toMatch(/^Script execution failed: [\s\S]*Error: boom\n {4}at script\.js:1:7/);
    expect(thrown.error.message).not.toMatch(/sandbox-worker|node:vm/); // no host frames in what tenants see

    const rejected = failed(await js("Promise.reject(new TypeError('nope'))"));
    expect(rejected.error.code).toBe("SCRIPT_EXIT_NONZERO");
    expect(rejected.stderr).toContain("TypeError: nope");

    const inCallback = failed(await js("process.stdin.on('data', () => { null.x; })"));
    expect(inCallback.stderr).toContain("TypeError: Cannot read properties of null");

    const syntax = failed(await js("let x = ;"));
    expect(syntax.error.code).toBe("SCRIPT_EXIT_NONZERO");
    expect(syntax.stderr).toContain("SyntaxError: Unexpected token ';'");
  });

  it("starts every run from a fresh realm", async () => {
    expect(await js("Object.prototype.polluted = 'yes'; globalThis.leftover = 1; console.log('set')")).toMatchObject({
      ok: true,
    });
    expect(await js("console.log(({}).polluted, typeof leftover)")).toMatchObject({
      ok: true,
      stdout: "undefined undefined\n",
    });
  });
});

describe("the sandbox's limits", () => {
  it("times out a synchronous infinite loop at the deadline", async () => {
    const started = performance.now();
    const outcome = failed(await js("while (true) {}", { timeoutMs: 300 }));
    expect(outcome.error.code).toBe("SCRIPT_TIMEOUT");
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    expect(performance.now() - started).toBeLessThan(300 + 400);
  });

  it.each([
    ["an infinite loop in a stdin callback", "process.stdin.on('data', () => { while (true) {} })"],
    ["an endless promise chain", "(async () => { for (;;) await null; })()"],
    ["a busy interval", "setInterval(() => { for (let i = 0; i < 1e6; i++); }, 1)"],
    ["a timer past the deadline", "setTimeout(() => console.log(false), 60_000)"],
    ["a microtask flood", "const f = () => queueMicrotask(f); f()"],
    ["catastrophic regex backtracking", "/^(a+)+$/.test('a'.repeat(64) + 'b')"],
    ["a sort whose comparator never returns", "[3, 2, 1].sort(() => { for (;;) {} })"],
  ])("times out %s", async (_name, source) => {
    const outcome = failed(await js(source, { timeoutMs: 300 }));
    expect(outcome.error.code).toBe("SCRIPT_TIMEOUT");
    expect(outcome.durationMs).toBeLessThan(300 + 400);
  });

  it("keeps the output gathered before a time-out", async () => {
    const outcome = failed(await js("console.log('started'); while (true) {}", { timeoutMs: 1000 }));
    expect(outcome).toMatchObject({ stdout: "started\n" });
  });

  it("really stops the script: no CPU is burnt after a time-out", async () => {
    const outcome = failed(await js("for (;;) {}", { timeoutMs: 150 }));
    expect(outcome.error.code).toBe("SCRIPT_TIMEOUT");
    const before = process.cpuUsage();
    const started = performance.now();
    while (performance.now() - started < 400) await new Promise((resolve) => setTimeout(resolve, 50));
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeLessThan(200); // a spinning worker would use ~400 ms
  });

  it("ends a memory bomb as a sandbox violation, not a crash of the server", async () => {
    const outcome = failed(
      await js("const keep = []; for (;;) keep.push({ a: [1, 2, 3, 4, 5, 6, 7, 8], s: 'x' + keep.length });", {
        timeoutMs: 20_000,
        settings: { memoryLimitMb: 32 },
      }),
    );
    expect(outcome.error.code).toBe("SCRIPT_SANDBOX_VIOLATION");
    expect(outcome.error.message).toBe("Script sandbox violation: the script ran out of memory (limit 32 MiB heap)");
  });

  it("fails a string-doubling bomb with V8's own RangeError", async () => {
    const outcome = failed(await js("let s = 'x'; for (;;) s += s;", { timeoutMs: 10_000 }));
    expect(outcome.error.code).toMatch(/^SCRIPT_(EXIT_NONZERO|SANDBOX_VIOLATION)$/);
  });

  it("refuses off-heap allocations (typed arrays, ArrayBuffer, Intl) that the heap limit would not cover", async () => {
    for (const source of [
      "new Uint8Array(1e9)",
      "new ArrayBuffer(2 ** 30)",
      "new SharedArrayBuffer(8)",
      "Atomics.wait(null, 0, 0)",
      "new Intl.Collator('en')",
      "WebAssembly.Memory",
    ]) {
      const outcome = failed(await js(source));
      expect(outcome.error.code, source).toBe("SCRIPT_SANDBOX_VIOLATION");
      expect(outcome.error.message, source).toMatch(/is not available in the Argus script sandbox/);
    }
  });

  it("stops a script whose output passes the limit", async () => {
    const outcome = failed(
      await js("for (;;) console.log('x'.repeat(1000))", { timeoutMs: 10_000, settings: { maxOutputBytes: 100_000 } }),
    );
    expect(outcome.error.code).toBe("SCRIPT_OUTPUT_TOO_LARGE");
    expect(outcome.stdout.length).toBeLessThanOrEqual(100_000);
    expect(outcome.durationMs).toBeLessThan(5000);
  });

  it("reports a deep recursion as a failed execution", async () => {
    const outcome = failed(await js("function f() { return f() + 1; } f();"));
    expect(outcome.stderr).toContain("RangeError: Maximum call stack size exceeded");
  });
});

describe("sandbox escape attempts", () => {
  it.each([
    ["the global's constructor chain", "this.constructor.constructor('return process')().env"],
    ["Function('return this')", "Function('return this')().process.env"],
    ["eval", "eval('process')"],
    ["indirect eval", "(0, eval)('this')"],
    ["a function's constructor", "(() => {}).constructor('return process')()"],
    ["the AsyncFunction constructor", "(async () => {}).constructor('return process')()"],
    ["the GeneratorFunction constructor", "(function* () {}).constructor('yield process')().next()"],
    [
      "a stdin chunk's constructor chain",
      "process.stdin.on('data', (c) => c.constructor.constructor('return process')())",
    ],
    ["process.stdout.write's constructor", "process.stdout.write.constructor('return process')()"],
    ["an error's constructor chain", "try { null.x } catch (e) { e.constructor.constructor('return process')() }"],
    ["import('fs')", "import('fs').then((fs) => console.log(fs.readFileSync('/proc/self/environ', 'utf8')))"],
    [
      "import() in a callback, then the rejection's constructor",
      "setTimeout(() => import('child_process').catch((e) => e.constructor.constructor('return process')().exit(99)), 1)",
    ],
    ["require('child_process')", "require('child_process').execSync('id')"],
    ["require('fs') for the environment", "require('fs').readFileSync('/proc/self/environ', 'utf8')"],
  ])("refuses %s", async (_name, source) => {
    const outcome = failed(await js(source));
    expect(outcome.error.code).toBe("SCRIPT_SANDBOX_VIOLATION");
    expect(outcome.stdout).not.toContain(SECRET);
    expect(outcome.stderr).not.toContain(SECRET);
  });

  it("refuses code generation even when the script catches the error", async () => {
    const outcome = failed(await js("try { Function('return 1')() } catch { } console.log(false)"));
    expect(outcome.error.code).toBe("SCRIPT_SANDBOX_VIOLATION");
    expect(outcome.error.message).toBe(
      "Script sandbox violation: code generation from strings (eval, Function) is disabled in the Argus script sandbox",
    );
  });

  it("offers no host capabilities on the fake process", async () => {
    const outcome = await js(
      "console.log(['binding', 'dlopen', 'kill', 'mainModule', 'getBuiltinModule', 'memoryUsage', 'cwd'].map((k) => k + ':' + typeof process[k]).join(' '), typeof module, typeof exports, typeof Buffer, typeof fetch)",
    );
    expect(outcome).toMatchObject({
      ok: true,
      stdout:
        "binding:undefined dlopen:undefined kill:undefined mainModule:undefined getBuiltinModule:undefined memoryUsage:undefined cwd:function undefined undefined undefined undefined\n",
    });
  });

  it("exposes no object of the host realm anywhere reachable from the global", async () => {
    // Walks every object reachable through own properties (values, getters, setters) and prototypes, and checks that
    // each prototype chain ends in this realm's Object.prototype (a host object's would end in the host's).
    const outcome = await js(`
      const seen = new Set();
      const queue = [globalThis];
      let foreign = [];
      const visit = (v, where) => {
        if ((typeof v === "object" && v !== null) || typeof v === "function") {
          if (!seen.has(v)) { seen.add(v); queue.push([v, where]); }
        }
      };
      seen.add(globalThis);
      queue[0] = [globalThis, "globalThis"];
      while (queue.length > 0 && seen.size < 50000) {
        const [obj, where] = queue.shift();
        let end = obj;
        while (Reflect.getPrototypeOf(end) !== null) end = Reflect.getPrototypeOf(end);
        if (end !== obj && end !== Object.prototype) foreign.push(where);
        visit(Reflect.getPrototypeOf(obj), where + ".__proto__");
        for (const key of Reflect.ownKeys(obj)) {
          const d = Reflect.getOwnPropertyDescriptor(obj, key);
          if (d === undefined) continue;
          const name = where + "." + String(key);
          if ("value" in d) visit(d.value, name); else { visit(d.get, name + "<get>"); visit(d.set, name + "<set>"); }
        }
      }
      console.log(seen.size > 500, JSON.stringify(foreign));
    `);
    expect(outcome).toMatchObject({ ok: true, stdout: "true []\n" });
  });

  it("does not let a script install a stack-trace hook to collect call sites", async () => {
    const outcome = await js(`
      Error.prepareStackTrace = (error, callSites) => callSites;
      const stack = new Error("probe").stack;
      console.log(typeof stack, typeof Error.prepareStackTrace);
    `);
    expect(outcome).toMatchObject({ ok: true, stdout: "string undefined\n" });
    const strict = failed(await js("'use strict'; Error.prepareStackTrace = () => 1;"));
    expect(strict.stderr).toContain("TypeError: Cannot assign to read only property 'prepareStackTrace'");
    const replaced = await js(
      "globalThis.Error = { prepareStackTrace: (e, s) => s }; console.log(typeof new TypeError('x').stack)",
    );
    expect(replaced).toMatchObject({ ok: true, stdout: "string\n" });
  });

  it("does not expose the sandbox machinery through fn.caller", async () => {
    const outcome = await js(
      "process.stdin.on('data', function onData() { console.log(onData.caller === null); }); setTimeout(function t() { console.log(t.caller === null); }, 1);",
    );
    expect(outcome).toMatchObject({ ok: true, stdout: "true\ntrue\n" });
  });

  it("cannot take over the sandbox's control object", async () => {
    const outcome = await js(`
      try { __argus.step = () => { for (;;) {} }; } catch {}
      try { globalThis.__argus = { step() { for (;;) {} } }; } catch {}
      try { delete globalThis.__argus; } catch {}
      setTimeout(() => console.log(false), 1);
    `);
    expect(outcome).toMatchObject({ ok: true, stdout: "false\n" });
  });

  it("survives prototype pollution of the sandbox's own builtins", async () => {
    const outcome = await js(`
      Object.prototype.toJSON = () => "polluted";
      Array.prototype.push = () => { throw new Error("no push"); };
      Array.prototype[Symbol.iterator] = function* () {};
      String.prototype.split = () => [];
      Function.prototype.apply = () => { throw new Error("no apply"); };
      Promise.prototype.then = () => { throw new Error("no then"); };
      JSON.stringify = () => "x";
      console.log("still", true);
      setTimeout(() => console.log(false), 1);
    `);
    expect(outcome).toMatchObject({ ok: true, stdout: "still true\nfalse\n" });
  });

  it("is stopped by the host when a thrown object's traps spin outside the vm time-out", async () => {
    const outcome = failed(await js("throw new Proxy({}, { getPrototypeOf() { for (;;) {} } })", { timeoutMs: 300 }));
    expect(outcome.error.code).toBe("SCRIPT_TIMEOUT");
    expect(outcome.durationMs).toBeLessThan(300 + 500);
  });

  it("does not see the server's environment variables", async () => {
    const outcome = await js(fixtureScript("print_environment", "JavaScript"));
    expect(outcome).toMatchObject({ ok: true, stdout: "{}\n" });
    const probe = await js(
      "console.log(typeof globalThis.process.env.ARGUS_SANDBOX_SECRET, Object.keys(globalThis).includes('ARGUS_SANDBOX_SECRET'))",
    );
    expect(probe).toMatchObject({ ok: true, stdout: "undefined false\n" });
  });
});
