import type { TerraformDocuments, TerraformModuleCall } from './index.js';

/** `infra/modules/lb/main.tf` → `infra/modules/lb`. */
export function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '.' : path.slice(0, slash) || '/';
}

/** `a/./b/../c` → `a/c` (relative paths stay relative; no I/O). */
function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '.' || part === '') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return (path.startsWith('/') ? '/' : '') + (out.join('/') || '.');
}

/** The folder a local module call (`source = "./modules/lb"`) points at; undefined for other sources. */
export function localModuleDir(call: TerraformModuleCall): string | undefined {
  if (!/^\.\.?(\/|$)/.test(call.source)) return undefined;
  return normalize(`${folderOf(call.file)}/${call.source}`);
}

/** Folders of the local modules called from the documents read. */
export function calledModuleDirs(documents: TerraformDocuments): Set<string> {
  const dirs = new Set<string>();
  for (const call of documents.modules ?? []) {
    const dir = localModuleDir(call);
    if (dir !== undefined) dirs.add(dir);
  }
  return dirs;
}
