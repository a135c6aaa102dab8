import { ecsContainerSpecs, specsToResult, type Unresolved } from '../ecs/index.js';
import type { ContainerSpec } from '../image/container.js';
import type { ReaderDiagnostic, ReaderResult } from '../types.js';
import type { TerraformDocuments, TerraformResource } from './index.js';

/**
 * A small evaluator for the literal part of an HCL expression: the body of
 * `jsonencode([...])` in `container_definitions`. Strings, numbers, bools, null, tuples and
 * objects (`k = v` or `k: v`, separated by newlines or commas). `var.NAME` resolves through the
 * variables given; every other reference, call or interpolation becomes `{unresolved: TEXT}`.
 */
export function evaluateHclLiteral(
  text: string,
  variables: ReadonlyMap<string, unknown> = new Map(),
): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at offset ${i}: ${JSON.stringify(text.slice(i, i + 30))}`);
  };
  const skip = () => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      if (text.startsWith('#', i) || text.startsWith('//', i)) {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (text.startsWith('/*', i)) {
        const end = text.indexOf('*/', i + 2);
        i = end < 0 ? text.length : end + 2;
      } else return;
    }
  };
  const skipSeparators = () => {
    for (;;) {
      skip();
      if (text[i] === ',') i++;
      else return;
    }
  };
  const string = (): unknown => {
    i++; // opening quote
    let out = '';
    let interpolated = false;
    while (i < text.length && text[i] !== '"') {
      const c = text[i]!;
      if (c === '\\') {
        const n = text[i + 1];
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : (n ?? '');
        i += 2;
      } else if (c === '$' && text[i + 1] === '{') {
        const start = i;
        let depth = 0;
        for (; i < text.length; i++) {
          if (text[i] === '{') depth++;
          else if (text[i] === '}' && --depth === 0) break;
        }
        const inner = text.slice(start + 2, i).trim();
        i++;
        const v = /^var\.([A-Za-z_][\w-]*)$/.exec(inner);
        if (v && variables.has(v[1]!)) out += String(variables.get(v[1]!));
        else {
          interpolated = true;
          out += `\${${inner}}`;
        }
      } else {
        out += c;
        i++;
      }
    }
    if (text[i] !== '"') fail('unterminated string');
    i++;
    return interpolated ? ({ unresolved: out } satisfies Unresolved) : out;
  };
  const expression = (): unknown => {
    skip();
    const c = text[i];
    if (c === '"') return string();
    if (c === '[') {
      i++;
      const items: unknown[] = [];
      for (;;) {
        skipSeparators();
        if (text[i] === ']') {
          i++;
          return items;
        }
        if (i >= text.length) fail('unterminated list');
        items.push(expression());
      }
    }
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      for (;;) {
        skipSeparators();
        if (text[i] === '}') {
          i++;
          return obj;
        }
        if (i >= text.length) fail('unterminated object');
        let key: string;
        if (text[i] === '"') {
          const k = string();
          key = typeof k === 'string' ? k : (k as Unresolved).unresolved;
        } else {
          const m = /^[A-Za-z_][\w-]*/.exec(text.slice(i));
          if (!m) return fail('expected a key');
          key = m[0];
          i += key.length;
        }
        skip();
        if (text[i] !== '=' && text[i] !== ':') fail('expected = or :');
        i++;
        obj[key] = expression();
      }
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      return Number(num[0]);
    }
    // A reference, keyword or call: read it as raw text up to the end of the expression.
    const start = i;
    let depth = 0;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if (ch === ')' || ch === ']' || ch === '}') {
        if (depth === 0) break;
        depth--;
      } else if ((ch === ',' || ch === '\n') && depth === 0) break;
      i++;
    }
    const raw = text.slice(start, i).trim();
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    if (raw === 'null') return null;
    const v = /^var\.([A-Za-z_][\w-]*)$/.exec(raw);
    if (v && variables.has(v[1]!)) return variables.get(v[1]!);
    if (raw === '') fail('expected a value');
    return { unresolved: raw } satisfies Unresolved;
  };
  const value = expression();
  skip();
  if (i < text.length) fail('unexpected text after the value');
  return value;
}

/** `container_definitions` as written: `jsonencode([...])`, a JSON string (heredoc), or a plan's JSON string. */
export function containerDefinitionsValue(
  raw: unknown,
  variables: ReadonlyMap<string, unknown>,
): unknown[] | { error: string } {
  if (Array.isArray(raw)) return raw;
  if (typeof raw !== 'string') return { error: 'container_definitions is not a string or list' };
  const trimmed = raw.trim();
  const wrapped = /^\$\{\s*jsonencode\(([\s\S]*)\)\s*\}$/.exec(trimmed);
  if (wrapped) {
    try {
      const value = evaluateHclLiteral(wrapped[1]!, variables);
      return Array.isArray(value) ? value : { error: 'jsonencode(...) does not hold a list' };
    } catch (error) {
      return { error: `jsonencode(...) could not be read: ${(error as Error).message}` };
    }
  }
  if (/^\$\{/.test(trimmed))
    return {
      error: `container_definitions is an expression this tool does not evaluate (${trimmed.slice(2, 60)}...)`,
    };
  try {
    const value = JSON.parse(trimmed) as unknown;
    return Array.isArray(value) ? value : { error: 'container_definitions JSON is not a list' };
  } catch (error) {
    return { error: `container_definitions is not JSON: ${(error as Error).message}` };
  }
}

/** `${aws_lb_target_group.api.arn}` → `api`. */
function referencedName(value: unknown, type: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  return new RegExp(`${type}\\.([A-Za-z_][\\w-]*)`).exec(value)?.[1];
}

/**
 * The server side in Terraform: every container of each `aws_ecs_task_definition`
 * (`container_definitions` as `jsonencode(...)`, a heredoc or a JSON string), interpreted with the
 * server readers. `aws_ecs_service` blocks link a task definition to target groups
 * (`load_balancer { target_group_arn = aws_lb_target_group.X.arn }`): their containers get the
 * pairing key `tf-target-group:X` so `scan` can pair an ALB target group with them.
 */
export function readTerraformEcs(documents: TerraformDocuments): ReaderResult {
  const diagnostics: ReaderDiagnostic[] = [];
  const variables = new Map([...documents.variables].map(([k, v]) => [k, v.value]));
  const services = documents.resources.filter((r) => r.type === 'aws_ecs_service');
  const specs: ContainerSpec[] = [];
  for (const task of documents.resources.filter((r) => r.type === 'aws_ecs_task_definition')) {
    const line = task.attributeLine('container_definitions') ?? task.line;
    const defs = containerDefinitionsValue(task.values.container_definitions, variables);
    if (!Array.isArray(defs)) {
      diagnostics.push({
        severity: 'error',
        message: `aws_ecs_task_definition.${task.name}: ${defs.error}`,
        file: task.file,
        line,
        field: 'container_definitions',
      });
      continue;
    }
    const family = typeof task.values.family === 'string' ? task.values.family : task.name;
    const linked = services.filter(
      (s: TerraformResource) =>
        referencedName(s.values.task_definition, 'aws_ecs_task_definition') === task.name,
    );
    const found = ecsContainerSpecs(
      defs,
      { file: task.file, text: '', family, line, origin: `Terraform aws_ecs_task_definition.${task.name}` },
      diagnostics,
    );
    for (const spec of found) {
      const container = spec.name.slice(family.length + 1);
      const keys = [...spec.keys, `tf-task:${task.name}`];
      for (const service of linked) {
        keys.push(`tf-ecs-service:${service.name}`);
        const lbs = Array.isArray(service.values.load_balancer) ? service.values.load_balancer : [];
        for (const lb of lbs as Record<string, unknown>[]) {
          if (lb.container_name !== undefined && lb.container_name !== container) continue;
          const tg =
            referencedName(lb.target_group_arn, 'aws_lb_target_group') ??
            referencedName(lb.target_group_arn, 'aws_alb_target_group');
          if (tg) keys.push(`tf-target-group:${tg}`);
        }
      }
      specs.push({
        ...spec,
        name: `aws_ecs_task_definition.${task.name}/${container}`,
        keys,
        line,
        commandLine: undefined,
      });
    }
  }
  return specsToResult(specs, diagnostics);
}
