/**
 * The API reference (`npm run docs`, TypeDoc over src/index.ts and src/node.ts): it builds with
 * no broken {@link} and no warning, and every exported function, class, namespace, type alias
 * and constant (in F, nn, optim, data and kernels too) has a doc comment; every function and
 * class names its PyTorch counterpart (or says it has none) and shows an `@example`.
 * Members are held to it too: every method, property, accessor and interface field that TypeDoc
 * lists has a doc comment, and every Tensor method and property names its PyTorch counterpart
 * and shows an `@example`, unless it links the op it is the in-place form or alias of
 * ("In-place version of {@link Tensor.add}").
 * The one exception, listed in test-artifacts/docs/undocumented.txt rather than failed on: the
 * fields of an object type written inline in a signature (`): { missingKeys: string[]; ... }`),
 * where a comment would need the signature reformatted; give such a type a name to document it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Application,
  Comment,
  type DeclarationReflection,
  LogLevel,
  type ProjectReflection,
  ReflectionKind,
} from "typedoc";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The kinds every export of which must carry a doc comment. */
const required =
  ReflectionKind.Function |
  ReflectionKind.Class |
  ReflectionKind.Namespace |
  ReflectionKind.TypeAlias |
  ReflectionKind.Variable;
/** Of those, the kinds whose comment must also name the PyTorch counterpart and show an example. */
const withExample = ReflectionKind.Function | ReflectionKind.Class;

function commentOf(r: DeclarationReflection): Comment | undefined {
  return r.comment ?? r.signatures?.find((s) => s.comment !== undefined)?.comment;
}

/** "name: what is missing" for each required export that falls short. */
function missingDocs(project: ProjectReflection): string[] {
  const out: string[] = [];
  for (const r of project.getReflectionsByKind(required) as DeclarationReflection[]) {
    const name = r.getFriendlyFullName();
    const comments = [r.comment, ...(r.signatures ?? []).map((s) => s.comment)].filter(
      (c): c is Comment => c !== undefined,
    );
    const text = comments
      .map((c) =>
        [c.summary, ...c.blockTags.map((t) => t.content)]
          .map((parts) => Comment.combineDisplayParts(parts))
          .join("\n"),
      )
      .join("\n");
    if (commentOf(r) === undefined || text.trim() === "") {
      out.push(`${name}: no doc comment`);
      continue;
    }
    if (!r.kindOf(withExample)) continue;
    if (!/torch|PyTorch/.test(text)) out.push(`${name}: no PyTorch counterpart`);
    if (!comments.some((c) => c.getTag("@example") !== undefined)) out.push(`${name}: no @example`);
  }
  return out.sort();
}

/** The summary and block tags of a comment as text. */
function textOf(c: Comment): string {
  return [c.summary, ...c.blockTags.map((t) => t.content)]
    .map((parts) => Comment.combineDisplayParts(parts))
    .join("\n");
}

/**
 * The classes whose members must each name their PyTorch counterpart and show an example, and
 * which members: Tensor's methods and properties; the public methods of the module, optimizer,
 * scheduler and data classes (their fields have one-line comments, checked above).
 */
const WITH_EXAMPLES: [className: string, kinds: ReflectionKind][] = [
  ["Tensor", ReflectionKind.Method | ReflectionKind.Property | ReflectionKind.Accessor],
  ...[
    "Module",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "Optimizer",
    "LRScheduler",
    "ReduceLROnPlateau",
    "DataLoader",
    "Dataset",
  ].map((name): [string, ReflectionKind] => [name, ReflectionKind.Method]),
];

/** Members of those classes whose comment lacks the PyTorch name or an example. */
function memberGaps(project: ProjectReflection): string[] {
  const out: string[] = [];
  const classes = project.getReflectionsByKind(ReflectionKind.Class) as DeclarationReflection[];
  for (const [className, kinds] of WITH_EXAMPLES) {
    const cls = classes.find((r) => r.name === className);
    if (cls === undefined) {
      out.push(`${className}: not in the reference`);
      continue;
    }
    for (const m of cls.children ?? []) {
      if (!m.kindOf(kinds) || m.flags.isProtected || m.flags.isPrivate) continue;
      const comments = [
        m.comment,
        m.getSignature?.comment,
        ...(m.signatures ?? []).map((x) => x.comment),
      ].filter((c): c is Comment => c !== undefined);
      const name = `${className}.${m.name}`;
      if (comments.length === 0) {
        out.push(`${name}: no doc comment`);
        continue;
      }
      // An in-place form or alias may link its op instead of repeating the example.
      const links = comments.some((c) =>
        c.summary.some((p) => p.kind === "inline-tag" && p.tag === "@link"),
      );
      const example = comments.some((c) => c.getTag("@example") !== undefined);
      if (links && !example) continue;
      if (!comments.some((c) => /torch|PyTorch/.test(textOf(c))))
        out.push(`${name}: no PyTorch counterpart`);
      if (!example) out.push(`${name}: no @example`);
    }
  }
  return out.sort();
}

describe("API reference", () => {
  it("builds without broken links or warnings; every export and member is documented", async () => {
    const messages: { level: LogLevel; text: string }[] = [];
    const app = await Application.bootstrapWithPlugins({
      options: join(root, "typedoc.json"),
      tsconfig: join(root, "tsconfig.build.json"),
      entryPoints: [join(root, "src/index.ts"), join(root, "src/node.ts")],
      validation: {
        invalidLink: true,
        rewrittenLink: true,
        notExported: false,
        notDocumented: true,
      },
      treatValidationWarningsAsErrors: false,
      logLevel: LogLevel.Verbose,
    });
    const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
    app.logger.log = (message: string, level: LogLevel) => {
      messages.push({ level, text: message.replace(ansi, "").replace(/^\[\w+\] /, "") });
    };
    const project = await app.convert();
    expect(project).toBeDefined();
    if (project === undefined) return;
    app.validate(project);
    // Rendering resolves the links again: a {@link} that lands on a page-less reflection (the
    // type of a `const f = ...` function) is rewritten with a warning, which fails below.
    const out = mkdtempSync(join(tmpdir(), "wasmgrad-api-"));
    try {
      await app.generateDocs(project, out);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }

    expect(missingDocs(project)).toEqual([]);
    expect(memberGaps(project)).toEqual([]);

    const undocumented = messages
      .filter((m) => m.text.includes("does not have any documentation"))
      .map((m) => m.text);
    // A member of an anonymous object type (TypeDoc's "__type") written inline in a signature.
    const inline = (text: string) => /\.__type\.[^ ]+ \(/.test(text);
    expect(undocumented.filter((text) => !inline(text))).toEqual([]);
    // Everything else TypeDoc warns about fails, as `npm run docs` does: a broken {@link}, or a
    // comment line that starts "[N, C, H, W]: ...", which Markdown reads as a link definition to
    // a relative file (its text vanishes from the page).
    const problems = messages.filter(
      (m) => m.level >= LogLevel.Warn && !m.text.includes("does not have any documentation"),
    );
    expect(problems.map((m) => m.text)).toEqual([]);

    const dir = join(root, "test-artifacts/docs");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "undocumented.txt"), `${undocumented.join("\n")}\n`);
    console.log(
      `API reference: ${undocumented.length} fields of inline object types without a doc comment (test-artifacts/docs/undocumented.txt)`,
    );
  }, 300_000);
});
