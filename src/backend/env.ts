/**
 * What the runtime offers, read without ever throwing: environment variables (Deno imports
 * wasmgrad without permissions, so its env is read only where already granted), the core
 * count, and how to start a worker.
 */

interface DenoLike {
  env?: { get(name: string): string | undefined };
  permissions?: { querySync?(d: { name: string; variable: string }): { state: string } };
}

interface ProcessLike {
  env?: Record<string, string | undefined>;
  versions?: { node?: string };
  getBuiltinModule?(name: string): unknown;
}

const g = globalThis as { Deno?: DenoLike; process?: ProcessLike };

/** The environment variable `name`, or undefined where there is none or reading it is not allowed. */
export function readEnv(name: string): string | undefined {
  try {
    const deno = g.Deno;
    if (deno !== undefined) {
      const state = deno.permissions?.querySync?.({ name: "env", variable: name }).state;
      return state === "granted" ? deno.env?.get(name) : undefined;
    }
    return g.process?.env?.[name];
  } catch {
    return undefined;
  }
}

/** Node's built-in module `name` (Node >= 20.16, Bun, Deno), or undefined elsewhere. */
export function nodeBuiltin<T>(name: string): T | undefined {
  try {
    if (typeof g.process?.versions?.node !== "string") return undefined;
    return g.process.getBuiltinModule?.(name) as T | undefined;
  } catch {
    return undefined;
  }
}

/** Logical cores: navigator.hardwareConcurrency, or Node's os.availableParallelism(). */
export function coreCount(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const fromNavigator = nav?.hardwareConcurrency;
  if (typeof fromNavigator === "number" && fromNavigator > 0) return fromNavigator;
  const os = nodeBuiltin<{ availableParallelism?(): number; cpus(): unknown[] }>("node:os");
  try {
    return os?.availableParallelism?.() ?? os?.cpus().length ?? 1;
  } catch {
    return 1;
  }
}

/** Whether this is a browser page or browser worker (as opposed to Node, Deno or Bun). */
export function isBrowser(): boolean {
  const w = globalThis as { window?: unknown; WorkerGlobalScope?: unknown; process?: unknown };
  return (
    (w.window !== undefined || w.WorkerGlobalScope !== undefined) &&
    nodeBuiltin("node:os") === undefined
  );
}
