// The JavaScript sandbox: runs in a `worker_threads` Worker started by `sandbox.ts` (one fresh Worker per run).
//
// Plain CommonJS on purpose: the Worker loads this file as is (no TypeScript loader in the worker), and
// `sandboxBootstrap.toString()` is evaluated inside the sandbox context, so it must be exactly the source below.
//
// Design (see `sandbox.ts` for the guarantees and what they do not cover):
// - The tenant script runs in a fresh `node:vm` context whose global is backed by a null-prototype object, with code
//   generation from strings and WebAssembly disabled and its own microtask queue (`afterEvaluate`), so the `timeout`
//   of each evaluation also covers promise jobs.
// - No host object is ever handed to the sandbox. Everything the script sees (`process`, `console`, timers) is
//   created by `sandboxBootstrap` inside the sandbox realm. The host only passes primitives in, and only reads
//   primitives back (through functions the bootstrap created before the tenant script ran).
// - `import()` is routed to a callback that throws a sandbox-realm error (without `--experimental-vm-modules`, Node
//   would reject with a host-realm error, whose `constructor.constructor` is the host `Function`).
// - The host realm of this worker is hardened too: its `Function`/`eval` constructors are replaced by stubs once the
//   worker is set up, so a leaked host object does not lead to `Function("return process")()`.
"use strict";

const vm = require("node:vm");
const { parentPort, workerData } = require("node:worker_threads");

/**
 * Evaluated inside the sandbox realm before the tenant script. Builds an OZ-compatible Node-like surface (fake
 * `process` with stdin/stdout, `console`, timers) and returns the control object the worker host drives.
 * Must not reference anything outside itself: it is stringified and re-evaluated in the sandbox.
 */
function sandboxBootstrap(stdinText, maxOutputBytes, userFilename) {
  const G = globalThis;
  // Primordials captured before the tenant script can tamper with them.
  const defineProperty = Object.defineProperty;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const getPrototypeOf = Object.getPrototypeOf;
  const objectKeys = Object.keys;
  const freeze = Object.freeze;
  const create = Object.create;
  const apply = Reflect.apply;
  const isArray = Array.isArray;
  const StringCtor = String;
  const ErrorCtor = Error;
  const EvalErrorCtor = EvalError;
  const TypeErrorCtor = TypeError;
  const FunctionProto = Function.prototype;
  const PromiseCtor = Promise;
  const promiseThen = Promise.prototype.then;
  const promiseResolve = Promise.resolve;
  const dateNow = Date.now;
  const jsonStringify = JSON.stringify;
  const stringSplit = String.prototype.split;
  const stringIndexOf = String.prototype.indexOf;
  const stringSlice = String.prototype.slice;
  const stringReplace = String.prototype.replace;
  const arrayJoin = Array.prototype.join;
  const objectToString = Object.prototype.toString;
  const dateToISOString = Date.prototype.toISOString;
  const numberIsNaN = Number.isNaN;
  const mathFloor = Math.floor;

  const EXIT = freeze(create(null)); // thrown by process.exit() to unwind the script
  let stdout = "";
  let stderr = "";
  let stdoutBytes = 0;
  let stderrBytes = 0;
  let overflow = false;
  let exited = false;
  let exitCode = 0;
  let violation = "";

  function utf8Length(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        n += 4;
        i++;
      } else n += 3;
    }
    return n;
  }

  function write(toStderr, text) {
    if (exited) return;
    const bytes = utf8Length(text);
    if ((toStderr ? stderrBytes : stdoutBytes) + bytes > maxOutputBytes) {
      overflow = true;
      exited = true;
      throw EXIT;
    }
    if (toStderr) {
      stderr += text;
      stderrBytes += bytes;
    } else {
      stdout += text;
      stdoutBytes += bytes;
    }
  }

  function recordViolation(message) {
    if (violation === "") violation = message;
  }

  // ---- formatting (a small subset of util.format / util.inspect) ----
  function functionName(fn) {
    try {
      const name = fn.name;
      return typeof name === "string" && name !== "" ? name : "";
    } catch {
      return "";
    }
  }

  function quote(s) {
    return `'${apply(stringReplace, s, [/'/g, "\\'"])}'`;
  }

  function inspect(value, depth, seen) {
    switch (typeof value) {
      case "string":
        return depth === 0 ? value : quote(value);
      case "number":
        return value === 0 && 1 / value < 0 ? "-0" : StringCtor(value);
      case "bigint":
        return `${StringCtor(value)}n`;
      case "boolean":
      case "undefined":
        return StringCtor(value);
      case "symbol":
        return apply(Symbol.prototype.toString, value, []);
      case "function": {
        const name = functionName(value);
        return name === "" ? "[Function (anonymous)]" : `[Function: ${name}]`;
      }
    }
    if (value === null) return "null";
    if (value instanceof ErrorCtor) {
      const stack = value.stack;
      return typeof stack === "string" ? cleanStack(stack) : StringCtor(value);
    }
    const tag = apply(objectToString, value, []);
    if (tag === "[object Date]") {
      try {
        return apply(dateToISOString, value, []);
      } catch {
        return "Invalid Date";
      }
    }
    for (let i = 0; i < seen.length; i++) if (seen[i] === value) return "[Circular *1]";
    if (isArray(value)) {
      if (value.length === 0) return "[]";
      if (depth > 2) return "[Array]";
      const parts = [];
      const n = value.length > 100 ? 100 : value.length;
      for (let i = 0; i < n; i++) parts[parts.length] = inspect(value[i], depth + 1, [...seen, value]);
      if (value.length > n) parts[parts.length] = `... ${value.length - n} more items`;
      return `[ ${apply(arrayJoin, parts, [", "])} ]`;
    }
    const keys = objectKeys(value);
    if (keys.length === 0) return "{}";
    if (depth > 2) return "[Object]";
    const parts = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const shown = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : quote(key);
      parts[parts.length] = `${shown}: ${inspect(value[key], depth + 1, [...seen, value])}`;
    }
    return `{ ${apply(arrayJoin, parts, [", "])} }`;
  }

  function format(args) {
    if (args.length === 0) return "";
    const first = args[0];
    let start = 0;
    let out = "";
    if (typeof first === "string" && apply(stringIndexOf, first, ["%"]) >= 0) {
      let argi = 1;
      start = 1;
      for (let i = 0; i < first.length; i++) {
        const ch = first[i];
        if (ch !== "%" || i + 1 >= first.length) {
          out += ch;
          continue;
        }
        const spec = first[i + 1];
        if (spec === "%") {
          out += "%";
          i++;
        } else if ("sdifjoOc".indexOf(spec) >= 0) {
          i++;
          if (argi >= args.length) {
            out += `%${spec}`;
            continue;
          }
          const arg = args[argi++];
          if (spec === "s") out += typeof arg === "string" ? arg : inspect(arg, 1, []);
          else if (spec === "d" || spec === "i") {
            const n = typeof arg === "bigint" ? arg : Number(arg);
            out += typeof n === "bigint" ? `${StringCtor(n)}n` : StringCtor(spec === "i" ? mathFloor(n) : n);
          } else if (spec === "f") out += StringCtor(Number(arg));
          else if (spec === "j") {
            try {
              out += jsonStringify(arg);
            } catch {
              out += "[Circular]";
            }
          } else if (spec === "c") {
            // CSS: ignored, as in Node
          } else out += inspect(arg, 1, []);
        } else out += ch;
      }
      start = argi;
    } else {
      out = inspect(first, 0, []);
      start = 1;
    }
    for (let i = start; i < args.length; i++) out += ` ${inspect(args[i], 0, [])}`;
    return out;
  }

  function cleanStack(stack) {
    // Keep the message and the tenant script's own frames; drop frames of the sandbox machinery, and the source
    // excerpt Node puts first when the throw site is in the machinery (refusals).
    if (apply(stringIndexOf, stack, ["argus:"]) === 0) {
      const blank = apply(stringIndexOf, stack, ["\n\n"]);
      if (blank >= 0) stack = apply(stringSlice, stack, [blank + 2]);
    }
    const lines = apply(stringSplit, stack, ["\n"]);
    const kept = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const isFrame = /^\s+at /.test(line);
      if (!isFrame || apply(stringIndexOf, line, [userFilename]) >= 0) kept[kept.length] = line;
    }
    return apply(arrayJoin, kept, ["\n"]);
  }

  function describeThrown(e) {
    try {
      if (e instanceof ErrorCtor) {
        const stack = e.stack;
        if (typeof stack === "string") return cleanStack(stack);
        return StringCtor(e);
      }
      return `Uncaught ${inspect(e, 1, [])}`;
    } catch {
      return "Uncaught exception";
    }
  }

  function uncaught(e) {
    if (e === EXIT || exited) return;
    try {
      write(true, `${describeThrown(e)}\n`);
    } catch {
      // output limit reached: the overflow flag is set
    }
    exitCode = 1;
    exited = true;
  }

  // ---- task queue: timers, immediates and stdin events; the host runs one due task per evaluation ----
  let tasks = []; // { id, due, seq, fn, args, interval, ref, internal }
  let nextTimerId = 1;
  let seq = 0;

  function addTask(fn, delay, args, interval, internal) {
    const id = nextTimerId++;
    const task = { id, due: dateNow() + delay, seq: seq++, fn, args, interval, ref: true, internal };
    tasks[tasks.length] = task;
    return task;
  }

  function removeTask(task) {
    const kept = [];
    for (let i = 0; i < tasks.length; i++) if (tasks[i] !== task) kept[kept.length] = tasks[i];
    tasks = kept;
  }

  function findTask(handle) {
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i];
      if (t.internal) continue;
      if ((typeof handle === "number" && t.id === handle) || (handle !== null && t.handle === handle)) return t;
    }
    return undefined;
  }

  function normalizeDelay(delay) {
    const n = Number(delay);
    return n >= 1 && n <= 2147483647 ? mathFloor(n) : 1;
  }

  function makeTimerHandle(task) {
    const handle = {
      ref() {
        task.ref = true;
        return handle;
      },
      unref() {
        task.ref = false;
        return handle;
      },
      hasRef() {
        return task.ref;
      },
      refresh() {
        task.due = dateNow() + (task.interval > 0 ? task.interval : task.delay);
        return handle;
      },
      [Symbol.toPrimitive]() {
        return task.id;
      },
    };
    task.handle = handle;
    return handle;
  }

  function schedule(fn, delay, args, repeat) {
    if (typeof fn !== "function") {
      throw new TypeErrorCtor(`The "callback" argument must be of type function. Received ${inspect(fn, 1, [])}`);
    }
    const ms = normalizeDelay(delay);
    const task = addTask(fn, ms, args, repeat ? ms : 0, false);
    task.delay = ms;
    return makeTimerHandle(task);
  }

  function clearTask(handle) {
    if (handle === undefined || handle === null) return;
    const task = findTask(typeof handle === "object" ? handle : Number(handle));
    if (task !== undefined) removeTask(task);
  }

  function setTimeoutFn(fn, delay, ...args) {
    return schedule(fn, delay, args, false);
  }
  function setIntervalFn(fn, delay, ...args) {
    return schedule(fn, delay, args, true);
  }
  function setImmediateFn(fn, ...args) {
    if (typeof fn !== "function") throw new TypeErrorCtor('The "callback" argument must be of type function');
    const task = addTask(fn, 0, args, 0, false);
    task.delay = 0;
    return makeTimerHandle(task);
  }
  function queueMicrotaskFn(fn) {
    if (typeof fn !== "function") throw new TypeErrorCtor('The "callback" argument must be of type function');
    apply(promiseThen, apply(promiseResolve, PromiseCtor, []), [
      () => {
        try {
          fn();
        } catch (e) {
          uncaught(e);
        }
      },
    ]);
  }

  /** Runs the earliest due task; returns ms until the next one (0: one is due now), or -1 when none is left. */
  function step() {
    if (exited) return -1;
    const now = dateNow();
    let best;
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i];
      if (t.due <= now && (best === undefined || t.due < best.due || (t.due === best.due && t.seq < best.seq))) {
        best = t;
      }
    }
    if (best !== undefined) {
      if (best.interval > 0) {
        best.due = now + best.interval;
        best.seq = seq++;
      } else removeTask(best);
      try {
        apply(best.fn, undefined, best.args);
      } catch (e) {
        uncaught(e);
      }
      if (exited) return -1;
    }
    let next = -1;
    const after = dateNow();
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i];
      if (!t.ref && !t.internal) continue;
      const wait = t.due > after ? t.due - after : 0;
      if (next < 0 || wait < next) next = wait;
    }
    return next;
  }

  // ---- events (a minimal EventEmitter) ----
  function createEmitter(target, onListen) {
    const listeners = create(null);
    function add(event, fn, once) {
      if (typeof fn !== "function") throw new TypeErrorCtor('The "listener" argument must be of type function');
      if (listeners[event] === undefined) listeners[event] = [];
      const list = listeners[event];
      list[list.length] = { fn, once };
      if (onListen !== undefined) onListen(event);
      return target;
    }
    function remove(event, fn) {
      const list = listeners[event];
      if (list === undefined) return target;
      const kept = [];
      for (let i = 0; i < list.length; i++) if (list[i].fn !== fn) kept[kept.length] = list[i];
      listeners[event] = kept;
      return target;
    }
    function emit(event, ...args) {
      const list = listeners[event];
      if (list === undefined || list.length === 0) return false;
      const snapshot = [...list];
      for (let i = 0; i < snapshot.length; i++) {
        const entry = snapshot[i];
        if (entry.once) remove(event, entry.fn);
        apply(entry.fn, target, args);
      }
      return true;
    }
    target.on = (event, fn) => add(event, fn, false);
    target.addListener = target.on;
    target.once = (event, fn) => add(event, fn, true);
    target.prependListener = target.on;
    target.off = remove;
    target.removeListener = remove;
    target.removeAllListeners = (event) => {
      if (event === undefined) {
        const keys = objectKeys(listeners);
        for (let i = 0; i < keys.length; i++) delete listeners[keys[i]];
      } else delete listeners[event];
      return target;
    };
    target.listenerCount = (event) => (listeners[event] === undefined ? 0 : listeners[event].length);
    target.emit = emit;
    return emit;
  }

  // ---- process.stdin: the whole input as one chunk, then 'end' (Node delivers it once the stream flows) ----
  const stdin = { isTTY: false, fd: 0, readable: true, readableEnded: false };
  let stdinStarted = false;
  let stdinBuffer = stdinText;
  const emitStdin = createEmitter(stdin, (event) => {
    if (event === "data") startStdin(false);
    else if (event === "readable") startStdin(true);
  });

  function startStdin(readableMode) {
    if (stdinStarted) return;
    stdinStarted = true;
    const finish = () => {
      stdin.readable = false;
      stdin.readableEnded = true;
      emitStdin("end");
      addTask(() => emitStdin("close"), 0, [], 0, true);
    };
    if (readableMode) {
      addTask(() => emitStdin("readable"), 0, [], 0, true);
      addTask(
        () => {
          stdinBuffer = null;
          emitStdin("readable");
        },
        0,
        [],
        0,
        true,
      );
      addTask(finish, 0, [], 0, true);
    } else {
      addTask(
        () => {
          const chunk = stdinBuffer;
          stdinBuffer = null;
          if (chunk !== null && chunk !== "") emitStdin("data", chunk);
        },
        0,
        [],
        0,
        true,
      );
      addTask(finish, 0, [], 0, true);
    }
  }
  stdin.setEncoding = () => stdin;
  stdin.resume = () => {
    startStdin(false);
    return stdin;
  };
  stdin.pause = () => stdin;
  stdin.unref = () => stdin;
  stdin.ref = () => stdin;
  stdin.read = () => {
    if (stdinBuffer === null || stdinBuffer === "") return null;
    const chunk = stdinBuffer;
    stdinBuffer = "";
    return chunk;
  };
  stdin[Symbol.asyncIterator] = () => {
    stdinStarted = true;
    let done = false;
    return {
      next() {
        if (done || stdinBuffer === null || stdinBuffer === "") {
          done = true;
          stdinBuffer = null;
          return apply(promiseResolve, PromiseCtor, [{ value: undefined, done: true }]);
        }
        const chunk = stdinBuffer;
        stdinBuffer = null;
        return apply(promiseResolve, PromiseCtor, [{ value: chunk, done: false }]);
      },
      return() {
        done = true;
        return apply(promiseResolve, PromiseCtor, [{ value: undefined, done: true }]);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  };

  function toText(chunk) {
    if (typeof chunk === "string") return chunk;
    return StringCtor(chunk);
  }

  function makeOutput(toStderr) {
    const stream = { isTTY: false, fd: toStderr ? 2 : 1, writable: true, columns: 80 };
    createEmitter(stream);
    stream.write = (chunk, encoding, callback) => {
      write(toStderr, toText(chunk));
      const cb = typeof encoding === "function" ? encoding : callback;
      if (typeof cb === "function") addTask(cb, 0, [], 0, true);
      return true;
    };
    stream.end = (chunk) => {
      if (chunk !== undefined && chunk !== null && typeof chunk !== "function") write(toStderr, toText(chunk));
    };
    return stream;
  }

  // ---- process ----
  const processObject = {
    stdin,
    stdout: makeOutput(false),
    stderr: makeOutput(true),
    argv: [],
    execArgv: [],
    env: {},
    platform: "linux",
    exit(code) {
      if (code !== undefined && code !== null) requestedExitCode = code;
      if (!exited) {
        exitCode = toExitCode(requestedExitCode);
        exited = true;
      }
      throw EXIT;
    },
    nextTick(fn, ...args) {
      queueMicrotaskFn(() => apply(fn, undefined, args));
    },
    cwd: () => "/",
    uptime: () => 0,
  };
  createEmitter(processObject);
  let requestedExitCode;
  function toExitCode(value) {
    if (value === undefined || value === null) return 0;
    const c = Number(value);
    return numberIsNaN(c) ? 1 : c | 0;
  }
  defineProperty(processObject, "exitCode", {
    get: () => requestedExitCode,
    set: (value) => {
      requestedExitCode = value;
    },
    configurable: false,
    enumerable: true,
  });

  // ---- console ----
  const log = (...args) => write(false, `${format(args)}\n`);
  const error = (...args) => write(true, `${format(args)}\n`);
  const consoleObject = {
    log,
    info: log,
    debug: log,
    dir: (value) => write(false, `${inspect(value, 1, [])}\n`),
    table: log,
    error,
    warn: error,
    trace: (...args) => write(true, `Trace: ${format(args)}\n`),
    assert: (condition, ...args) => {
      if (!condition) write(true, `Assertion failed${args.length > 0 ? `: ${format(args)}` : ""}\n`);
    },
    time: () => undefined,
    timeEnd: () => undefined,
    timeLog: () => undefined,
    group: () => undefined,
    groupEnd: () => undefined,
    count: () => undefined,
  };

  // ---- things that are refused, with a message saying why (recorded as a sandbox violation) ----
  function refuse(message, ErrorType) {
    recordViolation(message);
    return new ErrorType(message);
  }
  const codeGenerationMessage = "code generation from strings (eval, Function) is disabled in the Argus script sandbox";
  function blockedEval() {
    throw refuse(codeGenerationMessage, EvalErrorCtor);
  }
  function BlockedFunction() {
    throw refuse(codeGenerationMessage, EvalErrorCtor);
  }
  BlockedFunction.prototype = FunctionProto;
  // `require("fs").readFileSync(0)` is the common one-liner for reading stdin; the sandbox emulates exactly that
  // (no file system behind it). Every other module is refused.
  const fsShim = freeze({
    readFileSync(file) {
      if (file === 0 || file === "/dev/stdin") {
        const text = stdinBuffer === null ? "" : stdinBuffer;
        stdinBuffer = null;
        return text;
      }
      throw refuse(
        `fs.readFileSync(${jsonStringify(StringCtor(file))}) is not available: the Argus script sandbox has no file system (only stdin, fd 0, can be read)`,
        ErrorCtor,
      );
    },
  });
  function requireShim(name) {
    const id = StringCtor(name);
    if (id === "fs" || id === "node:fs") return fsShim;
    throw refuse(
      `require(${jsonStringify(id)}) is not available: JavaScript trigger scripts run in a sandbox without Node.js modules; ` +
        "read the input from process.stdin and print the result with console.log",
      ErrorCtor,
    );
  }

  const lock = (target, key, value) =>
    defineProperty(target, key, { value, writable: false, configurable: false, enumerable: false });
  const generatorProtos = [
    getPrototypeOf(async () => undefined),
    getPrototypeOf(function* () {
      yield undefined;
    }),
    getPrototypeOf(async function* () {
      yield undefined;
    }),
  ];
  for (let i = 0; i < generatorProtos.length; i++) lock(generatorProtos[i], "constructor", BlockedFunction);
  lock(FunctionProto, "constructor", BlockedFunction);
  lock(G, "Function", BlockedFunction);
  lock(G, "eval", blockedEval);

  // Binary buffers and Intl objects keep memory outside the JavaScript heap, where the Worker's heap limit does not
  // reach; WebAssembly is disabled anyway. Reading these globals is refused with an explanation.
  const offHeap = [
    "ArrayBuffer",
    "SharedArrayBuffer",
    "DataView",
    "Int8Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "Int16Array",
    "Uint16Array",
    "Int32Array",
    "Uint32Array",
    "Float16Array",
    "Float32Array",
    "Float64Array",
    "BigInt64Array",
    "BigUint64Array",
    "Atomics",
    "WebAssembly",
    "Intl",
  ];
  for (let i = 0; i < offHeap.length; i++) {
    const name = offHeap[i];
    if (getOwnPropertyDescriptor(G, name) === undefined) continue;
    defineProperty(G, name, {
      get() {
        throw refuse(
          `${name} is not available in the Argus script sandbox (its memory is outside the sandbox limits)`,
          ErrorCtor,
        );
      },
      configurable: false,
      enumerable: false,
    });
  }

  // Node's stack-trace hook calls `Error.prepareStackTrace` of the error's realm with structured call sites; keep the
  // tenant script from installing one (or replacing `Error` to smuggle one in).
  lock(ErrorCtor, "prepareStackTrace", undefined);
  lock(G, "Error", ErrorCtor);

  G.process = processObject;
  G.console = consoleObject;
  G.global = G;
  G.setTimeout = setTimeoutFn;
  G.setInterval = setIntervalFn;
  G.setImmediate = setImmediateFn;
  G.clearTimeout = clearTask;
  G.clearInterval = clearTask;
  G.clearImmediate = clearTask;
  G.queueMicrotask = queueMicrotaskFn;
  G.require = requireShim;
  const startedAt = dateNow();
  G.performance = { now: () => dateNow() - startedAt, timeOrigin: startedAt };

  const control = freeze({
    step() {
      try {
        return step();
      } catch (e) {
        uncaught(e);
        return -1;
      }
    },
    uncaught() {
      const pending = G.__argusPending;
      delete G.__argusPending;
      uncaught(pending);
    },
    newError(message) {
      return new ErrorCtor(StringCtor(message));
    },
    refuse(message) {
      recordViolation(StringCtor(message));
    },
    exited: () => exited,
    exitCode: () => (exited ? exitCode : toExitCode(requestedExitCode)),
    stdout: () => stdout,
    stderr: () => stderr,
    overflow: () => overflow,
    violation: () => violation,
  });
  lock(G, "__argus", control);
  return control;
}

function hardenHostRealm() {
  // If a host object ever leaks into the sandbox, `leaked.constructor.constructor("return process")()` is the usual
  // next step; make it a dead end in this worker's own realm as well.
  const blocked = function blockedHostCodeGeneration() {
    throw new Error("code generation is disabled in the Argus script sandbox worker");
  };
  const protos = [
    Function.prototype,
    Object.getPrototypeOf(async () => undefined),
    Object.getPrototypeOf(function* () {
      yield undefined;
    }),
    Object.getPrototypeOf(async function* () {
      yield undefined;
    }),
  ];
  for (const proto of protos) {
    Object.defineProperty(proto, "constructor", { value: blocked, writable: false, configurable: false });
  }
  Object.defineProperty(globalThis, "Function", { value: blocked, writable: false, configurable: false });
  Object.defineProperty(globalThis, "eval", { value: blocked, writable: false, configurable: false });
  Object.defineProperty(Error, "prepareStackTrace", { value: undefined, writable: false, configurable: false });
}

function isHostError(value) {
  return value instanceof Error;
}

async function main() {
  const { source, stdin, filename, deadline, maxOutputBytes } = workerData;
  const remaining = () => deadline - Date.now();

  const context = vm.createContext(Object.create(null), {
    name: "argus-script",
    codeGeneration: { strings: false, wasm: false },
    microtaskMode: "afterEvaluate",
  });

  let control;
  const importRefused = () => {
    const message = "import() is not available in the Argus script sandbox";
    if (control !== undefined) {
      control.refuse(message);
      throw control.newError(message);
    }
    throw new Error(message);
  };
  const scriptOptions = (name) => ({ filename: name, importModuleDynamically: importRefused });

  // The file's "use strict" does not travel with toString(): the prologue makes the sandbox copy strict as well
  // (no `fn.caller` / `arguments.callee` walking from tenant callbacks into the machinery).
  const bootstrap = new vm.Script(`"use strict"; (${sandboxBootstrap.toString()})`, scriptOptions("argus:sandbox"));
  control = bootstrap.runInContext(context)(stdin, maxOutputBytes, filename);
  const step = new vm.Script("__argus.step()", scriptOptions("argus:step"));
  const reportUncaught = new vm.Script("__argus.uncaught()", scriptOptions("argus:uncaught"));

  const rejections = [];
  process.on("unhandledRejection", (reason) => {
    rejections.push(reason);
  });

  hardenHostRealm();

  const TIMEOUT = Symbol("timeout");
  const TIMEOUT_SLACK_MS = 5;
  let internalError;

  /** Runs one evaluation under the remaining time budget. Returns its value, or TIMEOUT. */
  function evaluate(script) {
    const ms = Math.ceil(remaining());
    if (ms <= 0) return TIMEOUT;
    try {
      return script.runInContext(context, { timeout: ms, breakOnSigint: false });
    } catch (error) {
      // The vm timeout is the time left, so a throw at (or, as V8's timer and our clock differ by a little, just
      // before) the deadline is the time-out. Node creates that error in the sandbox's realm, so neither its realm
      // nor its properties (which the tenant could have hooked) can be trusted to say so.
      if (remaining() <= TIMEOUT_SLACK_MS) return TIMEOUT;
      if (isHostError(error)) {
        internalError = `${error.name}: ${error.message}`;
        return undefined;
      }
      // A value thrown by the tenant script: let the sandbox format it (it is a sandbox value, or a primitive).
      return passUncaught(error);
    }
  }

  function passUncaught(value) {
    try {
      Object.defineProperty(context, "__argusPending", { value, configurable: true, writable: true });
    } catch {
      internalError = "the script's uncaught exception could not be reported";
      return undefined;
    }
    return evaluate(reportUncaught);
  }

  function report(kind) {
    parentPort.postMessage({
      kind,
      exitCode: control.exitCode(),
      stdout: control.stdout(),
      stderr: control.stderr(),
      overflow: control.overflow(),
      violation: control.violation(),
      internalError,
    });
  }

  let script;
  try {
    script = new vm.Script(source, scriptOptions(filename));
  } catch (error) {
    // A SyntaxError from compiling (host realm): report it like Node does for a script that does not parse.
    const where = typeof error.stack === "string" ? error.stack.split("\n    at ")[0] : String(error);
    parentPort.postMessage({
      kind: "exited",
      exitCode: 1,
      stdout: "",
      stderr: `${where}\n`,
      overflow: false,
      violation: "",
    });
    return;
  }

  if (evaluate(script) === TIMEOUT) return report("timeout");
  for (;;) {
    if (control.exited() || internalError !== undefined) break;
    const next = evaluate(step);
    if (next === TIMEOUT) return report("timeout");
    // Let Node report unhandled rejections of the evaluation before deciding what comes next.
    await new Promise((resolve) => setImmediate(resolve));
    if (rejections.length > 0) {
      const reason = rejections.shift();
      if (passUncaught(reason) === TIMEOUT) return report("timeout");
    }
    if (control.exited() || typeof next !== "number" || next < 0) break;
    if (next > 0) {
      const wait = Math.min(next, remaining());
      if (wait <= 0) return report("timeout");
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  report("exited");
}

main().catch((error) => {
  parentPort.postMessage({ kind: "crashed", message: error instanceof Error ? error.message : String(error) });
});
