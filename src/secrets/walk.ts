/**
 * Finding OZ `SecretValue`s (`{"type": "Plain" | "Environment" | "HashicorpCloudVault", "value": "…"}`, the type in
 * any case, as OZ accepts it) anywhere in a JSON document. Pure.
 */

export const SECRET_VALUE_TYPES = ["Plain", "Environment", "HashicorpCloudVault"] as const;
export type SecretValueType = (typeof SECRET_VALUE_TYPES)[number];

/** A secret object found in a document, with its JSON path. */
export interface FoundSecret {
  path: (string | number)[];
  type: SecretValueType;
  value: string;
}

/** The canonical type of a secret object, or `undefined` when `node` is not one. */
export function secretType(node: unknown): SecretValueType | undefined {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
  const { type, value } = node as { type?: unknown; value?: unknown };
  if (typeof type !== "string" || typeof value !== "string") return undefined;
  const lower = type.toLowerCase();
  return SECRET_VALUE_TYPES.find((t) => t.toLowerCase() === lower);
}

/**
 * Returns a copy of `json` in which every secret object is replaced by `replace(secret)`; everything else is
 * copied as is (JSON values only: objects, arrays, strings, numbers, booleans, null).
 */
export function mapSecrets(
  json: unknown,
  replace: (secret: FoundSecret, node: Record<string, unknown>) => unknown,
  path: (string | number)[] = [],
): unknown {
  const type = secretType(json);
  if (type !== undefined) {
    const node = json as Record<string, unknown>;
    return replace({ path, type, value: node.value as string }, node);
  }
  if (Array.isArray(json)) return json.map((item, index) => mapSecrets(item, replace, [...path, index]));
  if (typeof json === "object" && json !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(json)) out[key] = mapSecrets(value, replace, [...path, key]);
    return out;
  }
  return json;
}

/** Every secret object in `json`, in document order. */
export function findSecrets(json: unknown): FoundSecret[] {
  const found: FoundSecret[] = [];
  mapSecrets(json, (secret, node) => {
    found.push(secret);
    return node;
  });
  return found;
}
