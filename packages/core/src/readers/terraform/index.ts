import type { ConfigReader, ReaderDiagnostic, ReaderInput, ReaderResult, ReadSide } from '../types.js';
import { readTerraformEcs } from './ecs.js';
import { readTerraformLoadBalancers } from './lb.js';
import { readTerraformModules } from './modules.js';

/**
 * One resource as Terraform sees it, from HCL (through @cdktf/hcl2json, run by the caller since it
 * is async) or from the JSON of `terraform show -json` (a plan or state).
 */
export interface TerraformResource {
  /** `aws_lb`. */
  readonly type: string;
  /** `web` (HCL), or the plan address `module.edge.aws_lb.web`. */
  readonly name: string;
  readonly file: string;
  /** Attribute values; HCL expressions stay strings like `${var.idle}`. */
  readonly values: Readonly<Record<string, unknown>>;
  /** 1-based line of the resource block (HCL only). */
  readonly line?: number | undefined;
  /** 1-based line of a top-level attribute in the block (HCL only). */
  attributeLine(name: string): number | undefined;
  readonly origin: 'hcl' | 'plan';
  /** Set for a load balancer a module call creates: what to say when idle_timeout is not given. */
  readonly viaModule?: { readonly call: string; readonly absentNote: string } | undefined;
  /** Where an attribute was written, when not in `file` (an input a module call passes). */
  attributeAt?(name: string): { readonly file: string; readonly line?: number | undefined } | undefined;
}

export interface TerraformDocuments {
  readonly resources: readonly TerraformResource[];
  /** `variable "x" { default = ... }` values, for `${var.x}` references. */
  readonly variables: ReadonlyMap<
    string,
    { readonly value: unknown; readonly file: string; readonly line?: number | undefined }
  >;
  /** `variable "x" { }` declared without a default: its value comes from outside (tfvars, -var, a caller). */
  readonly variablesWithoutDefault?: ReadonlyMap<
    string,
    { readonly file: string; readonly line?: number | undefined }
  >;
  /** `module "NAME" { source = ... }` calls (HCL only). */
  readonly modules?: readonly TerraformModuleCall[];
  readonly diagnostics: ReaderDiagnostic[];
}

/** One `module "NAME" { source = "..." ... }` block: its source and the inputs it passes. */
export interface TerraformModuleCall {
  readonly name: string;
  readonly source: string;
  readonly version?: string | undefined;
  readonly file: string;
  readonly line?: number | undefined;
  /** Inputs as hcl2json gives them (expressions stay `${...}` strings). */
  readonly inputs: Readonly<Record<string, unknown>>;
  attributeLine(name: string): number | undefined;
}

interface BlockLines {
  readonly line: number;
  readonly attributes: Map<string, number>;
}

/**
 * A light scan of HCL text for line numbers only (the values come from the real parser): the line
 * of each `resource "TYPE" "NAME" {` / `variable "NAME" {` block and of its top-level attributes.
 */
export function scanHclBlockLines(text: string): Map<string, BlockLines> {
  const blocks = new Map<string, BlockLines>();
  const lines = text.split(/\r?\n/);
  let current: BlockLines | undefined;
  let depth = 0;
  let inHeredoc: string | undefined;
  let inComment = false;
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    if (inHeredoc) {
      if (raw.trim() === inHeredoc) inHeredoc = undefined;
      return;
    }
    let line = raw;
    if (inComment) {
      const end = line.indexOf('*/');
      if (end < 0) return;
      line = line.slice(end + 2);
      inComment = false;
    }
    line = line.replace(/"(?:[^"\\]|\\.)*"/g, (m) => m.replace(/[{}#]/g, '_')).replace(/(#|\/\/).*$/, '');
    const open = line.indexOf('/*');
    if (open >= 0) {
      if (line.indexOf('*/', open) < 0) inComment = true;
      line = line.slice(0, open);
    }
    const heredoc = /<<-?([A-Z_][A-Z0-9_]*)\s*$/i.exec(line);
    if (depth === 0) {
      const header = /^\s*(resource|data|variable|locals|module)\s*(?:"([^"]*)"\s*)?(?:"([^"]*)"\s*)?\{/.exec(
        raw,
      );
      if (header) {
        const key =
          header[1] === 'resource' || header[1] === 'data'
            ? `${header[1]}.${header[2]}.${header[3]}`
            : `${header[1]}.${header[2] ?? ''}`;
        current = { line: lineNo, attributes: new Map() };
        blocks.set(key, current);
      }
    } else if (depth === 1 && current) {
      const attribute = /^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=/.exec(line);
      if (attribute && !current.attributes.has(attribute[1]!)) current.attributes.set(attribute[1]!, lineNo);
    }
    for (const ch of line) {
      if (ch === '{') depth += 1;
      else if (ch === '}') depth = Math.max(0, depth - 1);
    }
    if (depth === 0) current = undefined;
    if (heredoc) inHeredoc = heredoc[1];
  });
  return blocks;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** HCL JSON (hcl2json) of one file → resources and variables. */
function fromHcl(
  input: ReaderInput,
  out: {
    resources: TerraformResource[];
    variables: Map<string, { value: unknown; file: string; line?: number | undefined }>;
    variablesWithoutDefault: Map<string, { file: string; line?: number | undefined }>;
    modules: TerraformModuleCall[];
  },
) {
  const json = input.parsed;
  if (!isRecord(json)) return;
  const lines = scanHclBlockLines(input.text);
  const resource = isRecord(json.resource) ? json.resource : {};
  for (const [type, byName] of Object.entries(resource)) {
    if (!isRecord(byName)) continue;
    for (const [name, bodies] of Object.entries(byName)) {
      const body = Array.isArray(bodies) ? bodies[0] : bodies;
      const block = lines.get(`resource.${type}.${name}`);
      out.resources.push({
        type,
        name,
        file: input.file,
        values: isRecord(body) ? body : {},
        line: block?.line,
        attributeLine: (attribute) => block?.attributes.get(attribute) ?? block?.line,
        origin: 'hcl',
      });
    }
  }
  const variable = isRecord(json.variable) ? json.variable : {};
  for (const [name, bodies] of Object.entries(variable)) {
    const body = Array.isArray(bodies) ? bodies[0] : bodies;
    const block = lines.get(`variable.${name}`);
    if (!isRecord(body)) continue;
    if (!('default' in body)) {
      out.variablesWithoutDefault.set(name, { file: input.file, line: block?.line });
      continue;
    }
    out.variables.set(name, {
      value: body.default,
      file: input.file,
      line: block?.attributes.get('default') ?? block?.line,
    });
  }
  const module = isRecord(json.module) ? json.module : {};
  for (const [name, bodies] of Object.entries(module)) {
    const body = Array.isArray(bodies) ? bodies[0] : bodies;
    if (!isRecord(body) || typeof body.source !== 'string') continue;
    const block = lines.get(`module.${name}`);
    out.modules.push({
      name,
      source: body.source,
      version: typeof body.version === 'string' ? body.version : undefined,
      file: input.file,
      line: block?.line,
      inputs: body,
      attributeLine: (attribute) => block?.attributes.get(attribute) ?? block?.line,
    });
  }
}

/** `terraform show -json` (plan: planned_values / resource_changes; state: values) → resources. */
function fromPlan(
  input: ReaderInput,
  json: Record<string, unknown>,
  out: { resources: TerraformResource[] },
) {
  const visitModule = (module: unknown) => {
    if (!isRecord(module)) return;
    for (const r of Array.isArray(module.resources) ? module.resources : []) {
      if (!isRecord(r) || r.mode === 'data') continue;
      out.resources.push({
        type: String(r.type ?? ''),
        name: String(r.address ?? r.name ?? ''),
        file: input.file,
        values: isRecord(r.values) ? r.values : {},
        attributeLine: () => undefined,
        origin: 'plan',
      });
    }
    for (const child of Array.isArray(module.child_modules) ? module.child_modules : []) visitModule(child);
  };
  const values = isRecord(json.planned_values)
    ? json.planned_values
    : isRecord(json.values)
      ? json.values
      : undefined;
  if (values) visitModule(values.root_module);
}

/** Parses every input (HCL already turned into JSON by the caller, or a `terraform show -json` file). */
export function parseTerraformDocuments(inputs: readonly ReaderInput[]): TerraformDocuments {
  const out = {
    resources: [] as TerraformResource[],
    variables: new Map<string, { value: unknown; file: string; line?: number | undefined }>(),
    variablesWithoutDefault: new Map<string, { file: string; line?: number | undefined }>(),
    modules: [] as TerraformModuleCall[],
  };
  const diagnostics: ReaderDiagnostic[] = [];
  for (const input of inputs) {
    if (input.parsed !== undefined) {
      fromHcl(input, out);
      continue;
    }
    const trimmed = input.text.trimStart();
    if (trimmed.startsWith('{')) {
      let json: unknown;
      try {
        json = JSON.parse(input.text);
      } catch (error) {
        diagnostics.push({
          severity: 'error',
          message: `JSON does not parse: ${(error as Error).message}`,
          file: input.file,
        });
        continue;
      }
      if (isRecord(json) && ('planned_values' in json || 'values' in json || 'format_version' in json))
        fromPlan(input, json, out);
      else if (isRecord(json)) fromHcl({ ...input, parsed: json, text: '' }, out);
      continue;
    }
    if (/\.tf$/i.test(input.file)) {
      diagnostics.push({
        severity: 'error',
        message: 'HCL was not parsed (no HCL parser available here)',
        file: input.file,
      });
      continue;
    }
    diagnostics.push({
      severity: 'warning',
      message: 'neither Terraform HCL (.tf) nor `terraform show -json` output; skipped',
      file: input.file,
    });
  }
  return {
    resources: out.resources,
    variables: out.variables,
    variablesWithoutDefault: out.variablesWithoutDefault,
    modules: out.modules,
    diagnostics,
  };
}

/**
 * The parts of the `terraform:` reader, each a pure function of the parsed documents. The
 * load-balancer side (`aws_lb` / `aws_alb` / `aws_elb` idle timeouts) lives in lb.ts.
 *
 * Workloads plug in here: issue 6 adds its `readTerraformEcs` (terraform/ecs.ts, the server side:
 * ECS task definitions' container commands and env) as one more entry of this list.
 */
export const TERRAFORM_PARTS: Array<(documents: TerraformDocuments) => ReaderResult> = [
  readTerraformLoadBalancers,
  readTerraformModules,
  readTerraformEcs,
];

export function readTerraform(inputs: readonly ReaderInput[]): ReaderResult {
  const documents = parseTerraformDocuments(inputs);
  const sides: ReadSide[] = [];
  const diagnostics: ReaderDiagnostic[] = [...documents.diagnostics];
  for (const part of TERRAFORM_PARTS) {
    const result = part(documents);
    sides.push(...result.sides);
    diagnostics.push(...result.diagnostics);
  }
  return { sides, diagnostics };
}

export const terraformReader: ConfigReader = {
  id: 'terraform',
  summary:
    'Terraform HCL (a .tf file or a module folder) or `terraform show -json` output: aws_lb / aws_alb / aws_elb idle timeouts, module terraform-aws-modules/alb/aws',
  roles: ['pool', 'server'],
  preparse: 'hcl',
  folderFiles: /\.(tf|json)$/i,
  detect: (file, text) =>
    /\.tf$/i.test(file) || /"planned_values"|"format_version"/.test(text.slice(0, 2000)),
  read: (input) => readTerraform([input]),
  readMany: (inputs) => readTerraform(inputs),
};
