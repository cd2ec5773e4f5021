import { ArgusError, type ErrorPath } from "../errors/index.js";

export type EngineErrorCode = "ENGINE_BLOCK_CHAIN_MISMATCH";

/**
 * A caller error the engine cannot turn into a diagnostic, e.g. a Stellar ledger handed to the EVM evaluator.
 * Problems in monitors or blocks are never thrown; they come back as `EngineDiagnostic` values.
 */
export class EngineError extends ArgusError {
  override name = "EngineError";
  override readonly code: EngineErrorCode;

  constructor(code: EngineErrorCode, message: string, options: { path?: ErrorPath; hint?: string } = {}) {
    super(code, message, options);
    this.code = code;
  }
}
