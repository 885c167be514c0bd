// Where each setting lives: the keys a block of settings accepts, and where an unknown key most
// likely belongs, so that a misspelt or misplaced key is refused with a hint instead of ignored.
import type { z } from "zod";
import { closest, editDistance } from "./messages";

type Schema = z.core.$ZodType;

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch"]);

/** The schema inside optional/default/prefault wrappers. */
function unwrap(schema: Schema): Schema {
  let current = schema;
  while (WRAPPERS.has(current._zod.def.type)) current = (current._zod.def as unknown as { innerType: Schema }).innerType;
  return current;
}

/** The keys of a block of settings, or undefined when the schema is not one. */
export function shapeOf(schema: Schema): Record<string, Schema> | undefined {
  const inner = unwrap(schema);
  return inner._zod.def.type === "object" ? (inner._zod.def as unknown as { shape: Record<string, Schema> }).shape : undefined;
}

/** The schema of the value at `path` (list indexes and mapping keys included), if the path exists. */
export function schemaAt(root: Schema, path: readonly PropertyKey[]): Schema | undefined {
  let current: Schema | undefined = root;
  for (const part of path) {
    if (current === undefined) return undefined;
    const inner = unwrap(current);
    const def = inner._zod.def as unknown as { type: string; element?: Schema; valueType?: Schema };
    if (def.type === "array" && typeof part === "number") current = def.element;
    else if (def.type === "record") current = def.valueType;
    else current = shapeOf(inner)?.[String(part)];
  }
  return current;
}

/** Every key below a schema, with its path, walking into blocks and list items (`[]` in the path). */
function keysBelow(schema: Schema, depth: number, prefix: string[] = []): { key: string; path: string[] }[] {
  if (depth === 0) return [];
  const inner = unwrap(schema);
  const def = inner._zod.def as unknown as { type: string; element?: Schema };
  if (def.type === "array" && def.element) return keysBelow(def.element, depth, [...prefix, "[]"]);
  const shape = shapeOf(inner);
  if (!shape) return [];
  return Object.entries(shape).flatMap(([key, child]) => [{ key, path: [...prefix, key] }, ...keysBelow(child, depth - 1, [...prefix, key])]);
}

/** Renders a path as the operator writes it: homelab:nodes[2].gpu, or homelab:nodes[].gpu for any item. */
function render(path: readonly PropertyKey[]): string {
  let out = "homelab";
  path.forEach((part, i) => {
    if (part === "[]") out += "[]";
    else if (typeof part === "number") out += `[${part}]`;
    else out += i === 0 ? `:${String(part)}` : `.${String(part)}`;
  });
  return out;
}

/**
 * What to say about an unknown key found in the block at `blockPath`: a near spelling of a key the
 * block accepts, else the place in the schema where a key of that name lives, else the keys the
 * block accepts. `extraKeys` are accepted keys the schema does not list (the secret keys).
 */
export function unknownKeyHint(root: Schema, blockPath: readonly PropertyKey[], key: string, extraKeys: readonly string[] = []): string {
  const block = schemaAt(root, blockPath);
  const accepted = [...Object.keys((block && shapeOf(block)) ?? {}), ...extraKeys];
  const topLevel = blockPath.length === 0;
  const name = (k: string) => (topLevel ? `homelab:${k}` : `"${k}"`);
  const guess = closest(key, accepted);
  if (guess) return `did you mean ${name(guess)}?`;

  // A key of another block: look below this block first, then anywhere in the schema.
  const near = (candidates: { key: string; path: string[] }[]) => {
    const exact = candidates.filter((c) => c.key.toLowerCase() === key.toLowerCase());
    return exact.length > 0 ? exact : candidates.filter((c) => key.length > 4 && editDistance(c.key, key) === 1);
  };
  const here: PropertyKey[][] = block ? near(keysBelow(block, 3)).map((c) => [...blockPath, ...c.path]) : [];
  const anywhere: PropertyKey[][] = here.length > 0 ? here : near(keysBelow(root, 4)).map((c) => c.path).filter((p) => p.length > 1);
  const places = anywhere.slice(0, 2);
  if (places.length > 0) return `it belongs in another block: ${places.map((p) => render(p)).join(" or ")}`;
  return `expected one of ${accepted.join(", ")}`;
}
