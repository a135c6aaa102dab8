import type { Fact, Provenance } from '../../facts.js';

/** One environment variable of a deployed process, with where it was set. */
export interface EnvEntry {
  readonly value: string;
  readonly provenance: Provenance;
  /** Where it was set, for people (`image ENV`, `ConfigMap app-config (deploy.yaml:7)`). */
  readonly where: string;
  /** The value this one replaced (compose `environment` over the image's `ENV`). */
  readonly overrides?: EnvEntry | undefined;
}

/** What the server interpreters read: one process as deployed. */
export interface ServerContext {
  /** The full command (entrypoint + args), as words. */
  readonly argv: readonly string[];
  readonly env: ReadonlyMap<string, EnvEntry>;
  /** Config files the command may load (gunicorn.conf.py, config/puma.rb, appsettings.json), by path. */
  readonly files?: ReadonlyMap<string, string> | undefined;
  /**
   * The process's working directory was searched for the config files its server reads by default
   * (`proc:`): a file missing from `files` does not exist there, so the server's default applies.
   * Otherwise a missing default file (config/puma.rb, appsettings.json) may exist unseen.
   */
  readonly appFolderSearched?: boolean | undefined;
  /** Where the command came from, for notes (`image app.tar Cmd`, `Deployment web, container app`). */
  readonly origin: string;
  /** Where the command itself was written, when it is in a file (k8s `args:` line). */
  readonly commandFile?: { readonly file: string; readonly line?: number | undefined } | undefined;
  /** A Node server's documented env variable holding its keep-alive in ms (`#VAR` of a source). */
  readonly backendEnv?: string | undefined;
  /**
   * Why the process's environment is not fully known (an `env_file` not read, an ECS
   * `environment = local.x`): a server default could then be overridden by a variable unseen.
   */
  readonly envUnknown?: readonly string[] | undefined;
}

/** What an interpreter made of a process: the server product and its facts. */
export interface ServerReading {
  /** Knowledge-base product id (`gunicorn`, `uvicorn`, `node`). */
  readonly product: string;
  readonly label: string;
  readonly facts: readonly Fact[];
  /** Values that could not be read (a bad number), kept for the report; not fatal. */
  readonly diagnostics: readonly string[];
  /** Ports the server listens on, when the command says (`-b 0.0.0.0:8000`, `--port 3000`). */
  readonly ports: readonly number[];
}

export interface ServerInterpreter {
  readonly product: string;
  /** Does this (normalised) argv start this server? */
  matches(argv: readonly string[]): boolean;
  interpret(argv: readonly string[], context: ServerContext): ServerReading;
}
