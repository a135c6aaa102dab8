// prepack: ship the rule pages (docs/rules/*.md) inside the cli package, so that an installed
// `keepalive-parity mcp` serves them as resources. In the repository they are read from docs/rules.
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const from = join(here, '..', '..', '..', 'docs', 'rules');
const to = join(here, '..', 'docs', 'rules');
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) if (name.endsWith('.md')) cpSync(join(from, name), join(to, name));
