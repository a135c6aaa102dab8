/**
 * How to start one of the lab's own Node child scripts (the backend and the embedded proxy):
 * the compiled `.js` next to this module, or, when running from TypeScript sources (tests under
 * tsx), the `.ts` source through tsx's loader.
 */
import { fileURLToPath } from 'node:url';

export function childScriptCommand(baseName: string): { command: string; args: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(`./${baseName}${fromSource ? '.ts' : '.js'}`, import.meta.url));
  if (!fromSource) return { command: process.execPath, args: [script] };
  return { command: process.execPath, args: ['--import', import.meta.resolve('tsx'), script] };
}
