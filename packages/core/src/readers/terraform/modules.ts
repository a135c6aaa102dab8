import type { ReaderDiagnostic, ReaderResult, ReadSide } from '../types.js';
import { tagDiagnostics } from '../types.js';
import type { TerraformDocuments, TerraformModuleCall, TerraformResource } from './index.js';
import { readLoadBalancer } from './lb.js';

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
 * A local module (`source = "./modules/lb"`) is code this reader did not read: when the call looks
 * like a load balancer (its name, source or inputs say so) its pool idle is reported unknown, with
 * the reason, rather than guessed.
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
    if (!/^\.\.?\//.test(call.source) || !looksLikeLoadBalancer(call)) continue;
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
