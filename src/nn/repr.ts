/**
 * Printing modules the way PyTorch's `repr` does, so a model prints the same text in both:
 * `Linear(in_features=784, out_features=128, bias=True)`, children as `(name): ...` indented by
 * two spaces. Layers describe themselves through `extraRepr()` with these value formatters.
 */

/** Python's `repr(float)`: `0.1`, `1.0`, `1e-05`, `1e+16` (shortest round-trip digits). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = x.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

/** Python's repr of a bool. */
export function pyBool(b: boolean): string {
  return b ? "True" : "False";
}

/** Python's repr of a tuple of ints: `(4,)`, `(2, 3)`. */
export function pyTuple(xs: readonly number[]): string {
  return xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(", ")})`;
}

/** Python's repr of a str. */
export function pyStr(s: string): string {
  return `'${s}'`;
}

/** Indents every line after the first by `spaces` (PyTorch's `_addindent`). */
export function addIndent(text: string, spaces: number): string {
  const lines = text.split("\n");
  if (lines.length === 1) return text;
  const pad = " ".repeat(spaces);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join("\n");
}

/** PyTorch's `Module.__repr__` from a class name, the extra repr and the children's reprs. */
export function moduleRepr(
  name: string,
  extra: string,
  children: readonly [string, string][],
): string {
  const extraLines = extra === "" ? [] : extra.split("\n");
  const childLines = children.map(([key, text]) => `(${key}): ${addIndent(text, 2)}`);
  const lines = [...extraLines, ...childLines];
  let main = `${name}(`;
  if (lines.length > 0) {
    if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
    else main += `\n  ${lines.join("\n  ")}\n`;
  }
  return `${main})`;
}

/** An int-or-pair argument as PyTorch stores it: `2` or `(2, 2)`. */
export function pyPair(v: number | readonly number[]): string {
  return typeof v === "number" ? String(v) : pyTuple(v);
}
