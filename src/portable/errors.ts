import type { ConfigProblem } from "../config/index.js";
import { ArgusError, type ArgusErrorOptions } from "../errors/index.js";

/** Stable codes of the import/export module. */
export const PortableCode = {
  /** The bundle (or directory) does not validate as an OZ config; `problems` lists every problem. */
  Invalid: "PORTABLE_INVALID",
  /** A file could not be read or written, or a bundle path leaves its directory. */
  Io: "PORTABLE_IO",
  /** The tenant does not exist. */
  TenantUnknown: "PORTABLE_TENANT_UNKNOWN",
} as const;

export type PortableCode = (typeof PortableCode)[keyof typeof PortableCode];

export class PortableError extends ArgusError {
  override name = "PortableError";
  declare readonly code: PortableCode;
  /** For `PORTABLE_INVALID`: every problem, with file and JSON path, as `argus validate` reports them. */
  readonly problems: readonly ConfigProblem[];

  constructor(code: PortableCode, message: string, options: ArgusErrorOptions & { problems?: ConfigProblem[] } = {}) {
    super(code, message, options);
    this.problems = options.problems ?? [];
  }
}
