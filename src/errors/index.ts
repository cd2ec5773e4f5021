/**
 * The one error base for Argus. Every module defines its own subclasses in its `errors.ts`.
 *
 * An error is a value a caller can branch on: a stable `code`, a message a user can act on, the `path` of the
 * offending input (JSON path segments, file names first where there is a file), and whether retrying can help.
 * Branch on `code` or `retryable`, never on message text.
 */
export type ErrorPath = ReadonlyArray<string | number>;

export interface ArgusErrorOptions {
  path?: ErrorPath;
  hint?: string;
  cause?: unknown;
  retryable?: boolean;
}

export class ArgusError extends Error {
  override name = "ArgusError";
  readonly code: string;
  readonly path: ErrorPath;
  readonly hint: string | undefined;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: ArgusErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path ?? [];
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
  }
}

/** Renders a path as JSONPath (`$.match_conditions.events[0].expression`), the form users see in messages. */
export function formatJsonPath(path: ErrorPath): string {
  let out = "$";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
