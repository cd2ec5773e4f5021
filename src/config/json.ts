/**
 * JSON text → value, with a precise line/column on syntax errors.
 *
 * `JSON.parse` does the parsing; only when it fails does a small RFC 8259 scanner walk the text to find where and
 * why (V8's messages differ between Node versions and sometimes carry no position).
 */

export type JsonParseResult =
  | { ok: true; value: unknown }
  | { ok: false; message: string; offset: number; line: number; column: number };

export function parseJsonText(text: string): JsonParseResult {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(source) };
  } catch (error) {
    const found = locateJsonError(source) ?? fallbackLocation(source, error);
    const { line, column } = lineColumn(source, found.offset);
    return { ok: false, message: found.message, offset: found.offset, line, column };
  }
}

/** 1-based line and column (in UTF-16 code units) of `offset`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

function fallbackLocation(text: string, error: unknown): { offset: number; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message);
  return { offset: position ? Number(position[1]) : text.length, message };
}

class JsonSyntaxError {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

function describeChar(text: string, i: number): string {
  if (i >= text.length) return "end of input";
  const ch = text[i] as string;
  return ch === "'" ? `"'"` : `'${ch}'`;
}

/** Returns the first syntax error of `text`, or undefined if the scanner considers it valid. */
function locateJsonError(text: string): { offset: number; message: string } | undefined {
  let i = 0;

  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(at, message);
  };
  const skipWs = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${describeChar(text, i)} (expected a JSON value)`);
  };
  const string = (): void => {
    const start = i;
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail("unterminated string", start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail("control character in string (escape it, e.g. \\n)");
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("invalid \\u escape in string");
          i += 6;
        } else if (e !== undefined && `"\\/bfnrt`.includes(e)) i += 2;
        else fail(`invalid escape "\\${e ?? ""}" in string`);
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!m || m[0] === "-" || m[0] === "") fail(`invalid number`);
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    skipWs();
    const ch = text[i];
    if (ch === "{") object();
    else if (ch === "[") array();
    else if (ch === '"') string();
    else if (ch === "t") literal("true");
    else if (ch === "f") literal("false");
    else if (ch === "n") literal("null");
    else if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) number();
    else fail(`unexpected ${describeChar(text, i)} (expected a JSON value)`);
  };
  const object = (): void => {
    i++;
    skipWs();
    if (text[i] === "}") {
      i++;
      return;
    }
    for (;;) {
      skipWs();
      if (text[i] !== '"') {
        if (text[i] === "}") fail("trailing comma before '}'");
        fail(`unexpected ${describeChar(text, i)} (expected a property name in double quotes)`);
      }
      string();
      skipWs();
      if (text[i] !== ":") fail(`unexpected ${describeChar(text, i)} (expected ':' after the property name)`);
      i++;
      value();
      skipWs();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        return;
      }
      fail(`unexpected ${describeChar(text, i)} (expected ',' or '}' after a property value)`);
    }
  };
  const array = (): void => {
    i++;
    skipWs();
    if (text[i] === "]") {
      i++;
      return;
    }
    for (;;) {
      skipWs();
      if (text[i] === "]") fail("trailing comma before ']'");
      value();
      skipWs();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "]") {
        i++;
        return;
      }
      fail(`unexpected ${describeChar(text, i)} (expected ',' or ']' after an array element)`);
    }
  };

  try {
    skipWs();
    if (i >= text.length) fail("empty file (expected a JSON value)");
    value();
    skipWs();
    if (i < text.length) fail(`unexpected ${describeChar(text, i)} after the end of the JSON value`);
    return undefined;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { offset: error.offset, message: error.message };
    throw error;
  }
}
