import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Fact } from '../src/index.js';
import {
  envFrom,
  interpretProcess,
  normalizeCommand,
  readHttpdConfig,
  readTomcatServerXml,
  SERVER_FILE_READERS,
  splitCommandLine,
} from '../src/readers/servers/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'servers');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

function interpret(
  command: string | string[],
  env: Record<string, string> = {},
  files: Record<string, string> = {},
) {
  const argv = typeof command === 'string' ? splitCommandLine(command) : command;
  const result = interpretProcess({
    argv,
    env: envFrom(Object.entries(env), 'test env'),
    files: new Map(Object.entries(files)),
    origin: 'test',
  });
  assert.ok(result, `no server found in ${JSON.stringify(command)}`);
  return result;
}

function keepAlive(result: { facts: readonly Fact[] }): Fact {
  const fact = result.facts.find((f) => f.subject === 'server-keepalive');
  assert.ok(fact, 'no server-keepalive fact');
  return fact;
}

function ms(fact: Fact): number {
  assert.equal(fact.value.type, 'duration', `expected a duration, got ${JSON.stringify(fact.value)}`);
  return (fact.value as { ms: number }).ms;
}

describe('command lines', () => {
  it('splits shell words with quotes, escapes and control operators', () => {
    assert.deepEqual(splitCommandLine(`gunicorn -b "0.0.0.0:8000" --keep-alive '75' app:app`), [
      'gunicorn',
      '-b',
      '0.0.0.0:8000',
      '--keep-alive',
      '75',
      'app:app',
    ]);
    assert.deepEqual(splitCommandLine('a\\ b "c \\"d\\"" && e;f'), ['a b', 'c "d"', '&&', 'e', ';', 'f']);
  });

  it('strips wrappers: sh -c, exec, env assignments, tini, python -m, and keeps the server segment', () => {
    const [found] = normalizeCommand([
      '/bin/sh',
      '-c',
      'python manage.py migrate && exec env FOO=1 python3 -m gunicorn --keep-alive 9 app:app',
    ]);
    assert.deepEqual(found?.argv, ['gunicorn', '--keep-alive', '9', 'app:app']);
    assert.deepEqual(found?.assignments, [{ name: 'FOO', value: '1' }]);
    assert.ok(found?.wrappers.includes('sh -c'));
    const [tini] = normalizeCommand(['/sbin/tini', '--', '/usr/bin/python3', '/usr/bin/uvicorn', 'app:app']);
    assert.deepEqual(tini?.argv, ['/usr/bin/uvicorn', 'app:app']);
  });
});

describe('gunicorn', () => {
  it('the default sync worker keeps nothing alive: disabled, from the knowledge base', () => {
    const fact = keepAlive(interpret('gunicorn app:app'));
    assert.equal(fact.value.type, 'disabled');
    assert.equal(fact.isDefault, true);
    assert.equal(fact.provenance.kind, 'knowledge-base');
    assert.equal(fact.product, 'gunicorn-sync');
  });

  it('sync worker: an explicit --keep-alive is ignored and the fact says so', () => {
    const fact = keepAlive(interpret('gunicorn -k sync --keep-alive 75 app:app'));
    assert.equal(fact.value.type, 'disabled');
    assert.equal(fact.isDefault, undefined);
    assert.ok(
      fact.notes?.some((n) => /--keep-alive 75 .*ignored/.test(n)),
      JSON.stringify(fact.notes),
    );
  });

  it('gthread with --keep-alive: the command-line value, in seconds', () => {
    const result = interpret('gunicorn -k gthread --keep-alive 75 -b 0.0.0.0:9000 app:app');
    const fact = keepAlive(result);
    assert.equal(ms(fact), 75_000);
    assert.deepEqual(fact.provenance, { kind: 'command-line', flag: '--keep-alive', text: '75' });
    assert.deepEqual(result.ports, [9000]);
  });

  it('-k uvicorn.workers.UvicornWorker --keep-alive 75: the worker passes keepalive to uvicorn, and says why', () => {
    const result = interpret('gunicorn -k uvicorn.workers.UvicornWorker --keep-alive 75 main:app', {
      UVICORN_TIMEOUT_KEEP_ALIVE: '5',
    });
    const fact = keepAlive(result);
    assert.equal(ms(fact), 75_000);
    assert.equal(result.label, 'gunicorn + UvicornWorker');
    assert.ok(
      fact.notes?.some((n) => /timeout_keep_alive/.test(n) && /UvicornWorker/.test(n)),
      JSON.stringify(fact.notes),
    );
    assert.ok(
      fact.notes?.some((n) => /UVICORN_TIMEOUT_KEEP_ALIVE=5 .*no effect/.test(n)),
      JSON.stringify(fact.notes),
    );
  });

  it("UvicornWorker without --keep-alive gets gunicorn's 2 s default, not uvicorn's 5 s", () => {
    const fact = keepAlive(interpret('gunicorn --worker-class=uvicorn.workers.UvicornWorker main:app'));
    assert.equal(ms(fact), 2000);
    assert.equal(fact.isDefault, true);
    assert.equal(fact.provenance.kind, 'knowledge-base');
    assert.ok(fact.notes?.some((n) => /not uvicorn's 5 s/.test(n)));
  });

  it('command line > GUNICORN_CMD_ARGS > config file, and the winner names what it overrode', () => {
    const files = { '/app/gunicorn.conf.py': fixture('gunicorn.conf.py') };
    const fromFile = keepAlive(interpret('gunicorn -c gunicorn.conf.py app:app', {}, files));
    assert.equal(ms(fromFile), 30_000);
    assert.deepEqual(fromFile.provenance, { kind: 'file', file: '/app/gunicorn.conf.py', line: 7 });

    const fromEnvInFile = keepAlive(
      interpret('gunicorn -c gunicorn.conf.py app:app', { GUNICORN_KEEPALIVE: '40' }, files),
    );
    assert.equal(ms(fromEnvInFile), 40_000);

    const fromCmdArgs = keepAlive(
      interpret('gunicorn -c gunicorn.conf.py app:app', { GUNICORN_CMD_ARGS: '--keep-alive 50' }, files),
    );
    assert.equal(ms(fromCmdArgs), 50_000);
    assert.ok(
      fromCmdArgs.notes?.some((n) => /overrides keepalive = 30/.test(n)),
      JSON.stringify(fromCmdArgs.notes),
    );

    const fromCommand = keepAlive(
      interpret(
        'gunicorn -c gunicorn.conf.py --keep-alive 65 app:app',
        { GUNICORN_CMD_ARGS: '--keep-alive 50' },
        files,
      ),
    );
    assert.equal(ms(fromCommand), 65_000);
    assert.ok(
      fromCommand.notes?.some((n) => /GUNICORN_CMD_ARGS --keep-alive 50/.test(n) && /keepalive = 30/.test(n)),
    );
  });

  it('--threads above 1 turns the sync worker into gthread', () => {
    const fact = keepAlive(interpret('gunicorn --threads 4 --keep-alive 20 app:app'));
    assert.equal(ms(fact), 20_000);
    assert.ok(fact.notes?.some((n) => /gthread/.test(n)));
  });

  it('a value in force that is not a number is a diagnostic and an unknown keep-alive (issue 11), not the next place in precedence', () => {
    // gunicorn itself refuses `--keep-alive abc`; the 12 s below it is not what runs.
    const result = interpret('gunicorn -k gthread --keep-alive abc app:app', {
      GUNICORN_CMD_ARGS: '--keep-alive 12',
    });
    assert.equal(keepAlive(result).value.type, 'unset');
    assert.ok(
      keepAlive(result).notes?.some((n) => /--keep-alive abc .*is in force but is not a value/.test(n)),
    );
    assert.equal(result.diagnostics.length, 1);
    assert.match(result.diagnostics[0]!, /--keep-alive abc/);
  });
});

describe('uvicorn, hypercorn', () => {
  it('uvicorn: --timeout-keep-alive beats UVICORN_TIMEOUT_KEEP_ALIVE, both shown', () => {
    const fact = keepAlive(
      interpret('uvicorn app:app --timeout-keep-alive 30', { UVICORN_TIMEOUT_KEEP_ALIVE: '65' }),
    );
    assert.equal(ms(fact), 30_000);
    assert.equal(fact.provenance.kind, 'command-line');
    assert.ok(fact.notes?.some((n) => /overrides UVICORN_TIMEOUT_KEEP_ALIVE=65/.test(n)));
  });

  it('uvicorn: env alone, then the default', () => {
    const env = keepAlive(interpret('python -m uvicorn app:app', { UVICORN_TIMEOUT_KEEP_ALIVE: '65' }));
    assert.equal(ms(env), 65_000);
    assert.deepEqual(env.provenance, { kind: 'env', variable: 'UVICORN_TIMEOUT_KEEP_ALIVE' });
    const def = keepAlive(interpret('uvicorn app:app'));
    assert.equal(ms(def), 5000);
    assert.equal(def.isDefault, true);
  });

  it('hypercorn: --keep-alive, else the default', () => {
    assert.equal(ms(keepAlive(interpret('hypercorn --keep-alive 70 app:app'))), 70_000);
    assert.equal(keepAlive(interpret('hypercorn app:app')).isDefault, true);
  });
});

describe('Puma, Next.js, Node', () => {
  it('Puma: persistent_timeout from config/puma.rb through ENV.fetch, and the version-dependent default', () => {
    const files = {
      'rails/config/puma.rb': fixture('rails/config/puma.rb'),
      'rails/Gemfile.lock': fixture('rails/Gemfile.lock'),
    };
    const fromFile = keepAlive(interpret('bundle exec puma', {}, files));
    assert.equal(ms(fromFile), 75_000);
    assert.deepEqual(fromFile.provenance, { kind: 'file', file: 'rails/config/puma.rb', line: 3 });
    assert.equal(ms(keepAlive(interpret('bundle exec puma', { PUMA_PERSISTENT: '90' }, files))), 90_000);
    // The app's files without config/puma.rb: Puma 6.4.2 from Gemfile.lock → 20 s. No file of the
    // app at all: config/puma.rb may exist and set it, so unknown (issue 11), not the 65 s default.
    const old = keepAlive(interpret('puma', {}, { 'Gemfile.lock': fixture('rails/Gemfile.lock') }));
    assert.equal(ms(old), 20_000);
    assert.equal(old.isDefault, true);
    assert.equal(keepAlive(interpret('puma')).value.type, 'unset');
  });

  it('Next.js: --keepAliveTimeout in ms; standalone server.js reads KEEP_ALIVE_TIMEOUT', () => {
    assert.equal(ms(keepAlive(interpret('npx next start -p 3000 --keepAliveTimeout 70000'))), 70_000);
    const standalone = interpret('node server.js', { KEEP_ALIVE_TIMEOUT: '65000' });
    assert.equal(standalone.product, 'nextjs');
    assert.equal(ms(keepAlive(standalone)), 65_000);
  });

  it('Node: the documented env var named with #VAR, else unknown (the script sets it in code)', () => {
    const named = interpretProcess({
      argv: ['node', 'dist/main.js'],
      env: envFrom([['APP_KEEPALIVE_MS', '61000']], 'test env'),
      origin: 'test',
      backendEnv: 'APP_KEEPALIVE_MS',
    });
    assert.equal(ms(keepAlive(named!)), 61_000);
    const plain = keepAlive(interpret('node dist/main.js'));
    assert.equal(plain.value.type, 'unset');
    assert.ok(plain.notes?.some((n) => /sets it in code .*#VAR/.test(n)));
  });

  it('npm start runs the package.json script', () => {
    const files = {
      'package.json': JSON.stringify({ scripts: { start: 'next start --keepAliveTimeout 66000' } }),
    };
    assert.equal(ms(keepAlive(interpret('npm start', {}, files))), 66_000);
  });
});

describe('config files: httpd, Tomcat, Spring Boot, Kestrel', () => {
  it('httpd: the server-wide KeepAliveTimeout (comments skipped) and a VirtualHost of its own', () => {
    const { sides, diagnostics } = readHttpdConfig(fixture('httpd.conf'), 'httpd.conf');
    assert.deepEqual(diagnostics, []);
    assert.equal(ms(sides[0]!.facts[0]!), 15_000);
    assert.deepEqual(sides[0]!.facts[0]!.provenance, { kind: 'file', file: 'httpd.conf', line: 5 });
    assert.equal(sides[1]!.name, 'VirtualHost *:8081');
    assert.equal(ms(sides[1]!.facts[0]!), 500);
    // No httpd.conf available: httpd always reads one, so unknown (issue 11), not the 5 s default.
    assert.equal(keepAlive(interpret('httpd-foreground')).value.type, 'unset');
  });

  it('Tomcat: connectionTimeout stands in for keepAliveTimeout; commented connectors and AJP are skipped', () => {
    const { sides } = readTomcatServerXml(fixture('server.xml'), 'server.xml');
    assert.deepEqual(
      sides.map((s) => s.name),
      ['Connector port 8080', 'Connector port 8090'],
    );
    const first = sides[0]!.facts[0]!;
    assert.equal(ms(first), 20_000);
    assert.equal(first.setting, 'connectionTimeout');
    assert.deepEqual(first.provenance, { kind: 'file', file: 'server.xml', line: 11 });
    assert.equal(ms(sides[1]!.facts[0]!), 75_000);
    assert.equal(sides[1]!.facts[1]!.subject, 'max-requests-per-connection');
  });

  it('Spring Boot: YAML duration, properties fallback to connection-timeout (bare number = ms)', () => {
    const spring = SERVER_FILE_READERS.find((r) => r.id === 'spring-boot')!;
    const yml = spring.read({ text: fixture('application.yml'), file: 'application.yml' });
    assert.equal(ms(yml.sides[0]!.facts[0]!), 75_000);
    assert.deepEqual(yml.sides[0]!.facts[0]!.provenance, { kind: 'file', file: 'application.yml', line: 7 });
    const props = spring.read({ text: fixture('application.properties'), file: 'application.properties' });
    assert.equal(ms(props.sides[0]!.facts[0]!), 30_000);
    const cmd = keepAlive(interpret('java -jar app.jar --server.tomcat.keep-alive-timeout=80s'));
    assert.equal(ms(cmd), 80_000);
  });

  it('Kestrel: appsettings.json (with comments), env beats the file, command line beats env', () => {
    const kestrel = SERVER_FILE_READERS.find((r) => r.id === 'kestrel')!;
    const file = kestrel.read({ text: fixture('appsettings.json'), file: 'appsettings.json' });
    assert.equal(ms(file.sides[0]!.facts[0]!), 90_000);
    const files = { 'appsettings.json': fixture('appsettings.json') };
    const env = keepAlive(
      interpret('dotnet Api.dll', { Kestrel__Limits__KeepAliveTimeout: '00:02:00' }, files),
    );
    assert.equal(ms(env), 120_000);
    assert.ok(env.notes?.some((n) => /overrides Kestrel:Limits:KeepAliveTimeout = 00:01:30/.test(n)));
    const cmd = keepAlive(
      interpret(
        'dotnet Api.dll --Kestrel:Limits:KeepAliveTimeout=00:03:00',
        { Kestrel__Limits__KeepAliveTimeout: '00:02:00' },
        files,
      ),
    );
    assert.equal(ms(cmd), 180_000);
    // No file of the app: appsettings.json may set it, so unknown (issue 11); with the app's files
    // and nothing set, Kestrel's default.
    assert.equal(keepAlive(interpret('dotnet Api.dll')).value.type, 'unset');
    assert.equal(keepAlive(interpret('dotnet Api.dll', {}, { 'app/Api.dll.config': '' })).isDefault, true);
  });

  it("detectors recognise their files and not each other's", () => {
    const detected = (file: string, text: string) =>
      SERVER_FILE_READERS.filter((r) => r.detect?.(file, text)).map((r) => r.id);
    assert.deepEqual(detected('conf/server.xml', fixture('server.xml')), ['tomcat']);
    assert.deepEqual(detected('src/main/resources/application.yml', fixture('application.yml')), [
      'spring-boot',
    ]);
    assert.deepEqual(detected('Api/appsettings.json', fixture('appsettings.json')), ['kestrel']);
    assert.deepEqual(detected('apache/httpd.conf', fixture('httpd.conf')), ['httpd']);
    assert.deepEqual(detected('gunicorn.conf.py', fixture('gunicorn.conf.py')), ['gunicorn-conf']);
    assert.deepEqual(detected('nginx/nginx.conf', 'http { server { listen 80; } }'), []);
  });
});

describe('unknown commands', () => {
  it('returns nothing for a command with no known server', () => {
    assert.equal(
      interpretProcess({ argv: ['./bin/my-service', '--port', '80'], env: new Map(), origin: 'test' }),
      undefined,
    );
  });
});
