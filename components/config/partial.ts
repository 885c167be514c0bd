// The parts of a config that are valid on their own, so the cross-key checks can run beside the
// schema's problems instead of after they are fixed: a file with a bad architecture still hears
// about its duplicate node name and its even number of servers.
import type { z } from "zod";

/** Settings where any block, list item or field may be missing because it did not parse. */
export type Parts<T> = T extends readonly (infer U)[]
  ? (Parts<U> | undefined)[]
  : T extends object
    ? { [K in keyof T]?: Parts<T[K]> }
    : T;

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly"]);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Parses `value` with `schema` if it is valid, else keeps what is: each field of a block, each item
 * of a list, each entry of a mapping, parsed on its own. Unknown keys are dropped; a part that does
 * not parse is left out (undefined). Defaults apply as in a full parse.
 */
export function parseParts(schema: z.core.$ZodType, value: unknown): unknown {
  const whole = (schema as z.ZodType).safeParse(value);
  if (whole.success) return whole.data;
  const def = schema._zod.def as unknown as {
    type: string;
    innerType?: z.core.$ZodType;
    shape?: Record<string, z.core.$ZodType>;
    element?: z.core.$ZodType;
    keyType?: z.core.$ZodType;
    valueType?: z.core.$ZodType;
  };
  if (WRAPPERS.has(def.type) && def.innerType) {
    // An absent value with a prefault parses the prefault ({}), whose own fields may have defaults.
    const inner = value === undefined && def.type === "prefault" ? {} : value;
    return value === undefined && def.type !== "prefault" ? undefined : parseParts(def.innerType, inner);
  }
  if (def.type === "object" && def.shape && isPlainObject(value)) {
    const parts: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(def.shape)) {
      const part = parseParts(field, value[key]);
      if (part !== undefined) parts[key] = part;
    }
    return parts;
  }
  if (def.type === "array" && def.element && Array.isArray(value)) {
    return value.map((item) => parseParts(def.element!, item));
  }
  if (def.type === "record" && def.keyType && def.valueType && isPlainObject(value)) {
    const parts: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (!(def.keyType as z.ZodType).safeParse(key).success) continue;
      const part = parseParts(def.valueType, item);
      if (part !== undefined) parts[key] = part;
    }
    return parts;
  }
  return undefined;
}
