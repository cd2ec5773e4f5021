import type { Truncation } from "../truncate.js";

/** A rendered JSON request body, with the cut made to fit the channel when there was one. */
export interface RenderedBody {
  /** Compact JSON, exactly the bytes sent (UTF-8). */
  body: string;
  truncation?: Truncation;
}
