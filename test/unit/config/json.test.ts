import { describe, expect, it } from "vitest";
import { parseJsonText } from "../../../src/config/index.js";

function failure(text: string) {
  const result = parseJsonText(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to fail`);
  return { line: result.line, column: result.column, message: result.message };
}

describe("parseJsonText()", () => {
  it("parses valid JSON and tolerates a UTF-8 BOM", () => {
    expect(parseJsonText('{"a": [1, 2.5, "x", true, null]}')).toEqual({
      ok: true,
      value: { a: [1, 2.5, "x", true, null] },
    });
    expect(parseJsonText('\uFEFF{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it.each([
    ['{\n  "a": 1,\n}', 3, 1, "trailing comma before '}'"],
    ["[1, 2,\n]", 2, 1, "trailing comma before ']'"],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected ',' or '}' after a property value"],
    ["{\n  a: 1\n}", 2, 3, "expected a property name in double quotes"],
    ['{"a": tru}', 1, 7, "expected a JSON value"],
    ['{"a": "x', 1, 7, "unterminated string"],
    ['{"a": "\\q"}', 1, 8, 'invalid escape "\\q"'],
    ['{"a": 01}', 1, 8, "expected ',' or '}'"],
    ["", 1, 1, "empty file"],
    ['{"a": 1} x', 1, 10, "after the end of the JSON value"],
    ["{'a': 1}", 1, 2, "expected a property name in double quotes"],
  ])("locates the error in %j at line %i, column %i", (text, line, column, message) => {
    const found = failure(text);
    expect([found.line, found.column]).toEqual([line, column]);
    expect(found.message).toContain(message);
  });
});
