import type { ReaderDiagnostic, ReaderResult, ReadSide } from '../types.js';
import { tagDiagnostics } from '../types.js';
import type { TerraformDocuments, TerraformModuleCall, TerraformResource } from './index.js';
import { LB_TYPES, readLoadBalancer } from './lb.js';
import { folderOf, localModuleDir } from './module-paths.js';

/**
 * Load balancers created through a module call. The public registry module
 * `terraform-aws-modules/alb/aws` (the most used way to create an ALB) is known: its inputs
 * `idle_timeout`, `client_keep_alive`, `load_balancer_type`, `name` and `create` pass straight to
 * `aws_lb.this` (main.tf), and in variables.tf `idle_timeout` and `client_keep_alive` default to
 * `null`, `load_balancer_type` to "application", `create` to true (read at commit
 * 87f1c9c18408993abe951db5bf788c676abf0731, a v10-series commit with `region`; v9.0.0 already had
 * the null defaults). A null input leaves the argument unset, so the AWS provider's default
 * applies (idle_timeout 60 s).
 *
 * A local module (`source = "./modules/lb"`) whose folder was read too (`terraform:` on a folder that
 * holds both) is followed: each load balancer in the module's folder is read with the call's inputs
 * in place of its `var.NAME` references (an input not passed leaves the module's variable default).
 * A local module whose code was not read is reported unknown, with the reason, when the call looks
 * like a load balancer (its name, source or inputs say so), rather than guessed.
 */

const ALB_MODULE =
  /^(?:registry\.terraform\.io\/)?terraform-aws-modules\/alb\/aws(?:\/\/.*)?$|github\.com[/:]terraform-aws-modules\/terraform-aws-alb(?:\.git)?(?:\/\/[^?]*)?(?:\?.*)?$/i;

const MODULE_SOURCE_URL =
  'https://github.com/terraform-aws-modules/terraform-aws-alb/blob/87f1c9c18408993abe951db5bf788c676abf0731/variables.tf';

const PASSED = ['idle_timeout', 'client_keep_alive', 'load_balancer_type', 'name'] as const;

export function isAlbRegistryModule(source: string): boolean {
  return ALB_MODULE.test(source.trim());
}

function looksLikeLoadBalancer(call: TerraformModuleCall): boolean {
  return (
    /(^|[^a-z])(alb|elb|nlb|lb|load.?balancer)([^a-z]|$)/i.test(call.name) ||
    /(^|[/_-])(alb|elb|lb|load.?balancer)([/_-]|$)/i.test(call.source) ||
    'idle_timeout' in call.inputs ||
    'load_balancer_type' in call.inputs
  );
}

function registryModuleResource(call: TerraformModuleCall): TerraformResource {
  const values: Record<string, unknown> = {};
  for (const key of PASSED) if (key in call.inputs) values[key] = call.inputs[key];
  const version = call.version ? ` version ${call.version}` : '';
  return {
    type: 'aws_lb',
    name: call.name,
    file: call.file,
    values,
    line: call.line,
    attributeLine: (attribute) => call.attributeLine(attribute),
    origin: 'hcl',
    viaModule: {
      call: `module.${call.name}`,
      absentNote: `module.${call.name} (terraform-aws-modules/alb/aws${version}) does not pass idle_timeout; the module's variable defaults to null (${MODULE_SOURCE_URL}#L131), so aws_lb.this leaves it unset and the AWS provider's default (60) applies`,
    },
  };
}

/**
 * A module's resource as one call instantiates it: `attr = var.NAME` takes the call's input NAME
 * (with the caller's file:line) when the call passes it; otherwise the module's variable default.
 */
function withInputs(resource: TerraformResource, call: TerraformModuleCall): TerraformResource {
  const values: Record<string, unknown> = { ...resource.values };
  const passed = new Map<string, string>();
  for (const [attribute, raw] of Object.entries(resource.values)) {
    const variable =
      typeof raw === 'string' ? /^\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}$/.exec(raw.trim()) : null;
    if (variable && variable[1]! in call.inputs) {
      values[attribute] = call.inputs[variable[1]!];
      passed.set(attribute, variable[1]!);
    }
  }
  return {
    ...resource,
    values,
    attributeAt: (attribute) => {
      const input = passed.get(attribute);
      return input === undefined ? undefined : { file: call.file, line: call.attributeLine(input) };
    },
  };
}

export function readTerraformModules(documents: TerraformDocuments): ReaderResult {
  const sides: ReadSide[] = [];
  const diagnostics: ReaderDiagnostic[] = [];
  for (const call of documents.modules ?? []) {
    if (call.inputs.create === false || call.inputs.create === 'false') continue;
    if (isAlbRegistryModule(call.source)) {
      const from = diagnostics.length;
      const read = readLoadBalancer(registryModuleResource(call), documents, diagnostics).map((side) => ({
        ...side,
        name: `module.${call.name}`,
        label: side.label.replace(`aws_lb.${call.name}`, `module.${call.name}`),
      }));
      sides.push(...read);
      tagDiagnostics(diagnostics, from, `module.${call.name}`);
      continue;
    }
    const dir = localModuleDir(call);
    if (dir === undefined) continue;
    const inner = documents.resources.filter(
      (r) => r.origin === 'hcl' && LB_TYPES.has(r.type) && folderOf(r.file) === dir,
    );
    if (inner.length > 0) {
      for (const resource of inner) {
        const address = `module.${call.name}.${resource.type}.${resource.name}`;
        const from = diagnostics.length;
        const read = readLoadBalancer(withInputs(resource, call), documents, diagnostics).map((side) => ({
          ...side,
          name: address,
          label: side.label.replace(`${resource.type}.${resource.name}`, address),
        }));
        sides.push(...read);
        tagDiagnostics(diagnostics, from, address);
      }
      continue;
    }
    if (!looksLikeLoadBalancer(call)) continue;
    sides.push({
      role: 'pool',
      name: `module.${call.name}`,
      label: `module.${call.name}`,
      facts: [
        {
          subject: 'pool-idle',
          value: { type: 'unset' },
          setting: 'idle_timeout',
          provenance: { kind: 'file', file: call.file, line: call.line },
          notes: [
            `module.${call.name} comes from the local module ${call.source}, which was not read here; its load balancer's idle_timeout is not known (read the module's folder, or the plan: terraform show -json)`,
          ],
        },
      ],
    });
  }
  return { sides, diagnostics };
}
