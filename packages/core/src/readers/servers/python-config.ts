/**
 * Simple top-level assignments of a Python config file (`gunicorn.conf.py`, hypercorn's
 * `config.py`): `keepalive = 75`, `worker_class = "gthread"`,
 * `keepalive = int(os.getenv("KEEPALIVE", "5"))`. Anything else is left alone (a diagnostic
 * when it assigns a setting the caller asked for).
 */
export interface PythonAssignment {
  readonly name: string;
  readonly line: number;
  /** The literal's text (`75`, `gthread`), or undefined when it is not a literal we can read. */
  readonly value: string | undefined;
  /** `os.getenv("X", "5")`: the variable read, with its fallback. */
  readonly env?: { readonly name: string; readonly fallback: string | undefined } | undefined;
  readonly raw: string;
}

function literal(expr: string): string | undefined {
  const e = expr.trim();
  const str = /^(['"])(.*)\1$/.exec(e);
  if (str) return str[2];
  if (/^-?\d+(\.\d+)?$/.test(e)) return e;
  if (e === 'True' || e === 'False' || e === 'None') return e;
  return undefined;
}

export function readPythonAssignments(text: string): PythonAssignment[] {
  const out: PythonAssignment[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, rawLine] of lines.entries()) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+?)\s*(?:#.*)?$/.exec(rawLine);
    if (!m) continue;
    const name = m[1]!;
    let expr = m[2]!;
    const cast = /^(?:int|float|str)\((.*)\)$/.exec(expr);
    if (cast) expr = cast[1]!;
    const env =
      /^os\.(?:getenv|environ\.get)\(\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1\s*(?:,\s*(.+?))?\s*\)$/.exec(expr);
    if (env) {
      const fallback = env[3] === undefined ? undefined : literal(env[3]);
      out.push({ name, line: index + 1, value: fallback, env: { name: env[2]!, fallback }, raw: rawLine });
      continue;
    }
    const envIndex = /^os\.environ\[\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1\s*\]$/.exec(expr);
    if (envIndex) {
      out.push({
        name,
        line: index + 1,
        value: undefined,
        env: { name: envIndex[2]!, fallback: undefined },
        raw: rawLine,
      });
      continue;
    }
    out.push({ name, line: index + 1, value: literal(expr), raw: rawLine });
  }
  return out;
}

/** The last assignment of `name` (Python semantics: later assignments win). */
export function lastAssignment(
  assignments: readonly PythonAssignment[],
  name: string,
): PythonAssignment | undefined {
  let found: PythonAssignment | undefined;
  for (const a of assignments) if (a.name === name) found = a;
  return found;
}
