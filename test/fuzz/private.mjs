/**
 * TypeScript `private` and `protected` members are ordinary properties at runtime, but they are
 * not public API (an internal helper such as DataLoader's `order(samples)` trusts its caller).
 * The fuzzer leaves them alone: this reads their names, per class, from the sources.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Map class name -> names of its private/protected members, from every .ts file under `dir`. */
export function privateMembers(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) scan(readFileSync(p, "utf8"));
    }
  };
  const scan = (text) => {
    let cls = null;
    for (const line of text.split("\n")) {
      const c = /^(?:export )?(?:abstract )?class (\w+)/.exec(line);
      if (c) {
        cls = c[1];
        if (!out.has(cls)) out.set(cls, new Set());
        continue;
      }
      const m =
        /^ {2}(?:private|protected)(?: static| readonly| override| abstract)* \*?(\w+)/.exec(line);
      if (m && cls !== null && m[1] !== "constructor") out.get(cls).add(m[1]);
    }
  };
  walk(dir);
  return out;
}
