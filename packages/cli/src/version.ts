// process.getBuiltinModule, not `import ... from 'node:fs'`: see args.ts.
const { readFileSync } = process.getBuiltinModule('node:fs');

export const TOOL_NAME = 'keepalive-parity';
export const TOOL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
