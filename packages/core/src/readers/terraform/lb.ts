import type { Fact, FactSubject, Provenance } from '../../facts.js';
import { defaultFact } from '../../kb/index.js';
import { type ReaderDiagnostic, type ReaderResult, type ReadSide, tagDiagnostics } from '../types.js';
import type { TerraformDocuments, TerraformResource } from './index.js';
import { calledModuleDirs, folderOf } from './module-paths.js';

/**
 * Load balancers in Terraform: `aws_lb` / `aws_alb` (`idle_timeout`, default 60 s;
 * `client_keep_alive`, default 3600 s) and `aws_elb` (Classic: `idle_timeout`, default 60 s).
 * `load_balancer_type = "network"` is an NLB, outside this race.
 */
export const LB_TYPES = new Set(['aws_lb', 'aws_alb', 'aws_elb']);

/** The AWS provider's documented default for `aws_lb.idle_timeout`. */
const AWS_PROVIDER_DEFAULT =
  'aws_lb idle_timeout: "Default: 60" (Terraform AWS provider, https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lb#idle_timeout)';

/** `load_balancer_type`: a literal, a variable with a default, or absent (application); else undefined. */
function loadBalancerType(resource: TerraformResource, documents: TerraformDocuments): string | undefined {
  const raw = resource.values.load_balancer_type;
  if (raw === undefined || raw === null) return 'application';
  if (typeof raw !== 'string') return undefined;
  const variable = /^\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}$/.exec(raw.trim());
  if (variable) {
    const def = documents.variables.get(variable[1]!);
    if (def && def.value === null) return 'application';
    return typeof def?.value === 'string' ? def.value : undefined;
  }
  return raw.includes('${') ? undefined : raw;
}

/**
 * Arguments that look like the idle timeout but are not `aws_lb` arguments: Terraform rejects
 * them ("Unsupported argument"), so the file does not describe a load balancer Terraform can create.
 */
function misspelledIdle(resource: TerraformResource): string | undefined {
  if (resource.origin !== 'hcl') return undefined;
  return Object.keys(resource.values).find(
    (k) => k !== 'idle_timeout' && /^idle_?timeout|^idle_timeout_|timeout_?idle/i.test(k),
  );
}

type Resolved =
  | { kind: 'number'; value: number; provenance: Provenance; via?: string | undefined }
  | { kind: 'expression'; text: string; reason?: string | undefined }
  | { kind: 'absent'; via?: string | undefined }
  | { kind: 'invalid'; text: string };

function provenanceOf(resource: TerraformResource, attribute: string): Provenance {
  const at = resource.attributeAt?.(attribute);
  if (at) return { kind: 'file', file: at.file, line: at.line };
  return { kind: 'file', file: resource.file, line: resource.attributeLine(attribute) };
}

/** A literal, or `${var.NAME}` with a default; anything else is an expression we cannot evaluate. */
function resolveNumber(
  resource: TerraformResource,
  attribute: string,
  documents: TerraformDocuments,
): Resolved {
  const raw = resource.values[attribute];
  if (raw === undefined || raw === null) return { kind: 'absent' };
  if (typeof raw === 'number')
    return { kind: 'number', value: raw, provenance: provenanceOf(resource, attribute) };
  if (typeof raw === 'string') {
    if (/^\s*\d+\s*$/.test(raw))
      return { kind: 'number', value: Number(raw), provenance: provenanceOf(resource, attribute) };
    const variable = /^\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}$/.exec(raw.trim());
    if (variable) {
      const def = documents.variables.get(variable[1]!);
      const value =
        typeof def?.value === 'number'
          ? def.value
          : typeof def?.value === 'string' && /^\d+$/.test(def.value)
            ? Number(def.value)
            : undefined;
      if (def && value !== undefined) {
        return {
          kind: 'number',
          value,
          provenance: { kind: 'file', file: def.file, line: def.line },
          via: `var.${variable[1]} default`,
        };
      }
      // `default = null`: Terraform passes null, i.e. the argument is not set and the provider's
      // own default applies (as if the line were absent).
      if (def && def.value === null)
        return {
          kind: 'absent',
          via: `var.${variable[1]} defaults to null (${def.file}${def.line ? `:${def.line}` : ''}), so the argument is unset unless a caller or tfvars gives a value`,
        };
      const bare = documents.variablesWithoutDefault?.get(variable[1]!);
      if (bare)
        return {
          kind: 'expression',
          text: raw,
          reason: `var.${variable[1]} has no default (${bare.file}${bare.line ? `:${bare.line}` : ''}); its value comes from a .tfvars file, -var or the module's caller, none of which was read`,
        };
      if (!def)
        return {
          kind: 'expression',
          text: raw,
          reason: `var.${variable[1]} is not declared in the files read; its value is not known`,
        };
      return { kind: 'expression', text: raw };
    }
    if (/\$\{/.test(raw)) return { kind: 'expression', text: raw };
  }
  return { kind: 'invalid', text: JSON.stringify(raw) };
}

export function readLoadBalancer(
  resource: TerraformResource,
  documents: TerraformDocuments,
  diagnostics: ReaderDiagnostic[],
): ReadSide[] {
  const classic = resource.type === 'aws_elb';
  const lbType = classic ? 'classic' : loadBalancerType(resource, documents);
  if (lbType === undefined) {
    const text = String(resource.values.load_balancer_type);
    const address = resource.origin === 'plan' ? resource.name : `${resource.type}.${resource.name}`;
    return [
      {
        role: 'pool',
        name: address,
        label: `load balancer ${address}`,
        facts: [
          {
            subject: 'pool-idle',
            value: { type: 'unset' },
            setting: 'load_balancer_type',
            provenance: provenanceOf(resource, 'load_balancer_type'),
            notes: [
              `load_balancer_type = ${text} is not known here (an ALB pools HTTP connections, an NLB does not); read the plan (terraform show -json) or the live load balancer`,
            ],
          },
        ],
      },
    ];
  }
  const address = resource.origin === 'plan' ? resource.name : `${resource.type}.${resource.name}`;
  const displayName =
    typeof resource.values.name === 'string' && !resource.values.name.includes('${')
      ? resource.values.name
      : address;
  if (lbType !== 'application' && !classic) {
    return [
      {
        role: 'pool',
        name: address,
        label: `${lbType === 'network' ? 'NLB' : lbType} ${displayName}`,
        product: lbType === 'network' ? 'aws-nlb' : undefined,
        facts: [],
      },
    ];
  }
  const product = classic ? 'aws-clb' : 'aws-alb';
  const label = `${classic ? 'Classic ELB' : 'ALB'} ${displayName}`;
  const wrong = misspelledIdle(resource);
  if (wrong)
    diagnostics.push({
      severity: 'error',
      message: `${resource.type} has no argument "${wrong}" (Terraform: Unsupported argument; the idle timeout is "idle_timeout"): terraform plan rejects this file, so it describes no load balancer`,
      file: resource.file,
      line: resource.attributeLine(wrong),
      field: wrong,
    });
  const idle = resolveNumber(resource, 'idle_timeout', documents);
  const facts = (subject: FactSubject): Fact[] => {
    const role = subject === 'pool-idle' ? 'pool' : 'server';
    switch (idle.kind) {
      case 'number':
        return [
          {
            subject,
            value: { type: 'duration', ms: idle.value * 1000, text: `${idle.value}s` },
            product,
            setting: 'idle_timeout',
            unit: 'seconds',
            provenance: idle.provenance,
            notes: [
              ...(idle.via ? [`from ${idle.via}`] : []),
              'from Terraform; the live value (alb:NAME) can drift from it',
            ],
          },
        ];
      case 'absent': {
        if (classic) {
          // aws_elb's idle_timeout defaults to 60 like the API.
          const fallback = role === 'pool' ? defaultFact('aws-clb', 'pool') : undefined;
          return fallback ? [{ ...fallback, notes: [`${address} does not set idle_timeout`] }] : [];
        }
        const why = resource.viaModule
          ? resource.viaModule.absentNote
          : idle.via
            ? `${address}: idle_timeout = ${String(resource.values.idle_timeout)}: ${idle.via}; the AWS provider's default (60) applies`
            : `${address} does not set idle_timeout (Terraform and AWS default 60)`;
        return [{ ...defaultFact('aws-alb', role), notes: [why, AWS_PROVIDER_DEFAULT] }];
      }
      case 'expression':
        return [
          {
            subject,
            value: { type: 'unset' },
            product,
            setting: 'idle_timeout',
            provenance: provenanceOf(resource, 'idle_timeout'),
            notes: [
              idle.reason
                ? `idle_timeout = ${idle.text}: ${idle.reason}; read the plan (terraform show -json) or the live value (alb:NAME)`
                : `idle_timeout = ${idle.text} is an expression; read the plan (terraform show -json) or the live value (alb:NAME)`,
            ],
          },
        ];
      case 'invalid':
        // Reported once, for the pool side (the server side reads the same attribute).
        if (role === 'pool')
          diagnostics.push({
            severity: 'error',
            message: `idle_timeout must be a whole number of seconds, got ${idle.text}`,
            file: resource.file,
            line: resource.attributeLine('idle_timeout'),
            field: 'idle_timeout',
          });
        return [
          {
            subject,
            value: { type: 'unset' },
            product,
            setting: 'idle_timeout',
            provenance: provenanceOf(resource, 'idle_timeout'),
          },
        ];
    }
  };
  const sides: ReadSide[] = [{ role: 'pool', name: address, label, product, facts: facts('pool-idle') }];
  if (!classic) {
    const server = facts('server-keepalive');
    const clientKeepAlive = resolveNumber(resource, 'client_keep_alive', documents);
    if (clientKeepAlive.kind === 'number') {
      server.push({
        subject: 'connection-lifetime',
        value: { type: 'duration', ms: clientKeepAlive.value * 1000, text: `${clientKeepAlive.value}s` },
        product,
        setting: 'client_keep_alive',
        unit: 'seconds',
        provenance: clientKeepAlive.provenance,
      });
    }
    sides.push({ role: 'server', name: address, label, product, facts: server });
  }
  return sides;
}

/** Load-balancer sides in Terraform. */
export function readTerraformLoadBalancers(documents: TerraformDocuments): ReaderResult {
  const sides: ReadSide[] = [];
  const diagnostics: ReaderDiagnostic[] = [];
  // A module folder read together with its caller: its load balancers are read through the call
  // (with the inputs it passes, modules.ts), not as if the module stood alone.
  const called = calledModuleDirs(documents);
  for (const resource of documents.resources) {
    if (!LB_TYPES.has(resource.type)) continue;
    if (resource.origin === 'hcl' && called.has(folderOf(resource.file))) continue;
    const from = diagnostics.length;
    const read = readLoadBalancer(resource, documents, diagnostics);
    sides.push(...read);
    if (read[0]) tagDiagnostics(diagnostics, from, read[0].name);
  }
  return { sides, diagnostics };
}
