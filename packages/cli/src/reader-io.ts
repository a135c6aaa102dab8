import type { CliContext } from './context.js';

/** The members of the config readers' I/O (reader-io-impl.ts); test/reader-io.test.ts keeps them in step. */
export const READER_IO_MEMBERS = [
  'readStdin',
  'listFolder',
  'expandGlob',
  'fetchText',
  'parseToml',
  'parseHcl',
] as const;

type Member = (...args: unknown[]) => Promise<unknown>;

/**
 * The I/O of the config-reader sources (`nginx:-`, `k8s:FOLDER/`, `envoy:URL`, `terraform:`),
 * registered in io.ts. Its module (reader-io-impl.ts) is loaded on the first call: `check` with a
 * literal, `runtime:` or `env:` source never needs it, and it is 10 KB of the start-up chunk
 * (issue 12, scripts/bundle-cli.mjs).
 */
export function readerIo(context: CliContext): Record<string, unknown> {
  let impl: Promise<Record<string, Member>> | undefined;
  const member =
    (name: string): Member =>
    async (...args) => {
      impl ??= import('./reader-io-impl.js').then((m) => m.readerIo(context) as Record<string, Member>);
      return (await impl)[name]!(...args);
    };
  return Object.fromEntries(READER_IO_MEMBERS.map((name) => [name, member(name)]));
}
