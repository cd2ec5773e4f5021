import { ArgusError, type ArgusErrorOptions } from "../errors/index.js";

/** Stable codes of the codec module. Branch on these, never on message text. */
export const CodecCode = {
  /** The bytes are not an Argus frame (wrong magic, truncated header, corrupt compression, invalid JSON). */
  Malformed: "CODEC_MALFORMED",
  /** The frame was written by a newer (or unknown) format version; upgrade this process before reading it. */
  UnsupportedVersion: "CODEC_UNSUPPORTED_VERSION",
  /** The frame holds another kind of value than the reader expects (e.g. a match where a block was expected). */
  UnexpectedKind: "CODEC_UNEXPECTED_KIND",
  /** The frame decoded, but its content does not have the shape of its kind. */
  Invalid: "CODEC_INVALID",
  /** The value cannot be encoded (a field JSON cannot carry, such as a bigint outside the known fields). */
  Unencodable: "CODEC_UNENCODABLE",
} as const;

export type CodecCode = (typeof CodecCode)[keyof typeof CodecCode];

/** The codec's error: decoding never returns a partial value, it throws one of these. Never retryable. */
export class CodecError extends ArgusError {
  override name = "CodecError";
  declare readonly code: CodecCode;

  constructor(code: CodecCode, message: string, options: ArgusErrorOptions = {}) {
    super(code, message, { ...options, retryable: false });
  }
}
