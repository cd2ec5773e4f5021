/**
 * Secrets are write-only: responses carry `"***"` in place of every secret value. So that a client can GET a
 * document, change one field and PUT it back, a secret sent as `"***"` keeps the value stored at the same path.
 */
import { type ErrorPath, formatJsonPath } from "../errors/index.js";
import { findSecrets, REDACTED } from "../secrets/index.js";
import { ApiCode, ApiError, type ProblemItem } from "./errors.js";

function at(json: unknown, path: readonly (string | number)[]): unknown {
  let current = json;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** `incoming` with each `"***"` secret value replaced by the stored one at the same path (422 when there is none). */
export function keepRedactedSecrets(incoming: unknown, stored: unknown, prefix: ErrorPath = ["config"]): unknown {
  const placeholders = findSecrets(incoming).filter((secret) => secret.value === REDACTED);
  if (placeholders.length === 0) return incoming;
  const merged = structuredClone(incoming);
  const problems: ProblemItem[] = [];
  for (const secret of placeholders) {
    const previous = at(stored, secret.path) as { value?: unknown } | undefined;
    if (typeof previous === "object" && previous !== null && typeof previous.value === "string") {
      (at(merged, secret.path) as { value: string }).value = previous.value;
    } else {
      problems.push({
        path: formatJsonPath([...prefix, ...secret.path, "value"]),
        message: `"${REDACTED}" stands for a stored secret, and there is none at this path; send the secret's value`,
        code: "API_SECRET_PLACEHOLDER",
      });
    }
  }
  if (problems.length > 0) {
    throw new ApiError(ApiCode.Validation, "A redacted secret placeholder has nothing to keep.", { errors: problems });
  }
  return merged;
}
