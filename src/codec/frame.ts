/**
 * The frame every encoded value travels in (block log, match log, block cache):
 *
 *   byte 0–1  magic "AG" (0x41 0x47): rejects foreign bytes with a clear error instead of a JSON parse error
 *   byte 2    format version (1)
 *   byte 3    flags: bit 0 = body is raw-deflate compressed; other bits must be 0 in version 1
 *   byte 4…   body: UTF-8 JSON `{"k": kind, …}`
 *
 * Bodies above a threshold are compressed at deflate level 1: hex-heavy block JSON shrinks ~6× in a few
 * milliseconds, which keeps a mainnet block well under NATS's default 1 MiB message limit.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { CodecCode, CodecError } from "./errors.js";

export const FRAME_VERSION = 1;
const MAGIC_0 = 0x41;
const MAGIC_1 = 0x47;
const HEADER_BYTES = 4;
const FLAG_DEFLATE = 0b1;
/** Bodies at least this long are compressed. */
export const COMPRESS_THRESHOLD_BYTES = 4096;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function writeFrame(body: unknown): Uint8Array {
  let json: string;
  try {
    json = JSON.stringify(body);
  } catch (cause) {
    throw new CodecError(CodecCode.Unencodable, `Cannot encode the value as JSON: ${(cause as Error).message}.`, {
      cause,
      hint: "Only the codec's known bigint fields are converted; other fields must be plain JSON values.",
    });
  }
  const raw = encoder.encode(json);
  const compress = raw.byteLength >= COMPRESS_THRESHOLD_BYTES;
  const payload = compress ? deflateRawSync(raw, { level: 1 }) : raw;
  const out = new Uint8Array(HEADER_BYTES + payload.byteLength);
  out[0] = MAGIC_0;
  out[1] = MAGIC_1;
  out[2] = FRAME_VERSION;
  out[3] = compress ? FLAG_DEFLATE : 0;
  out.set(payload, HEADER_BYTES);
  return out;
}

/** The frame's body as parsed JSON. Throws `CodecError` for anything but a well-formed version-1 frame. */
export function readFrame(bytes: Uint8Array): unknown {
  if (bytes.byteLength < HEADER_BYTES || bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1) {
    throw new CodecError(
      CodecCode.Malformed,
      `Not an Argus frame: expected the bytes to start with "AG" and a header.`,
    );
  }
  const version = bytes[2];
  if (version !== FRAME_VERSION) {
    throw new CodecError(
      CodecCode.UnsupportedVersion,
      `Unsupported payload format version ${version}; this build reads version ${FRAME_VERSION}.`,
      { hint: "A newer Argus wrote this message: upgrade every process that reads the log before the writers." },
    );
  }
  const flags = bytes[3] ?? 0;
  if ((flags & ~FLAG_DEFLATE) !== 0) {
    throw new CodecError(CodecCode.Malformed, `Unknown frame flags 0x${flags.toString(16)} in a version-1 frame.`);
  }
  let raw = bytes.subarray(HEADER_BYTES);
  if (flags & FLAG_DEFLATE) {
    try {
      raw = inflateRawSync(raw);
    } catch (cause) {
      throw new CodecError(CodecCode.Malformed, "The frame's compressed body is corrupt.", { cause });
    }
  }
  try {
    return JSON.parse(decoder.decode(raw));
  } catch (cause) {
    throw new CodecError(CodecCode.Malformed, "The frame's body is not valid UTF-8 JSON.", { cause });
  }
}
