import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Fact } from '../src/index.js';
import { readCompose } from '../src/readers/compose/index.js';
import { readEcsTaskDefinition } from '../src/readers/ecs/index.js';
import { envFrom, interpretProcess, splitCommandLine } from '../src/readers/servers/index.js';

/**
 * Issue 11: a server's keep-alive that depends on something the reader could not read (a config
 * file the command points at, a computed value, an unset variable) is `unset` with the reason:
 * never the product default and never "off" (a guess can turn a violation into a false "holds").
 */

function keepAlive(command: string, files: Record<string, string> = {}, env: Record<string, string> = {}) {
  const result = interpretProcess({
    argv: splitCommandLine(command),
    env: envFrom(Object.entries(env), 'test env'),
    files: new Map(Object.entries(files)),
    origin: 'test',
  });
  assert.ok(result, `no server in ${command}`);
  const fact = result.facts.find((f) => f.subject === 'server-keepalive');
  assert.ok(fact);
  return { fact, result };
}

function assertUnknown(fact: Fact, reason: RegExp) {
  assert.equal(fact.value.type, 'unset', JSON.stringify(fact.value));
  assert.notEqual(fact.isDefault, true);
  assert.ok(
    fact.notes?.some((n) => reason.test(n)),
    `no note matching ${reason}: ${JSON.stringify(fact.notes)}`,
  );
}

function msOf(fact: Fact): number {
  assert.equal(fact.value.type, 'duration', JSON.stringify(fact.value));
  return (fact.value as { ms: number }).ms;
}

describe('gunicorn -c FILE', () => {
  it('the file is not available: unknown with the reason, not "sync worker, off"', () => {
    const { fact } = keepAlive('gunicorn -c conbench/gunicorn-conf.py');
    assertUnknown(fact, /worker_class may be set in conbench\/gunicorn-conf\.py, which was not available/);
  });

  it('the file is not available but the command line fixes both worker and keep-alive: known', () => {
    const { fact } = keepAlive('gunicorn -c missing.py -k gthread --keep-alive 70 app:app');
    assert.equal(msOf(fact), 70_000);
    // -k gthread on the command line, keep-alive not: the file may set keepalive.
    assertUnknown(keepAlive('gunicorn -c missing.py -k gthread app:app').fact, /keepalive may be set/);
    // An explicit sync worker keeps nothing alive, unless the file sets threads > 1 (gthread).
    assertUnknown(keepAlive('gunicorn -c missing.py -k sync app:app').fact, /threads may be set/);
    assert.equal(keepAlive('gunicorn -c missing.py -k sync --threads 1 app:app').fact.value.type, 'disabled');
  });

  it('the file is available: simple assignments are read (keepalive = 70, worker_class = "...")', () => {
    const conf = 'import multiprocessing\nbind = "0.0.0.0:5000"\nworker_class = "gthread"\nkeepalive = 70\n';
    const { fact } = keepAlive('gunicorn -c conf/gunicorn-conf.py', { 'app/conf/gunicorn-conf.py': conf });
    assert.equal(msOf(fact), 70_000);
    assert.deepEqual(fact.provenance, { kind: 'file', file: 'app/conf/gunicorn-conf.py', line: 4 });
    const sync = keepAlive('gunicorn -c g.py', { 'g.py': 'workers = 4\nkeepalive = 70\n' }).fact;
    assert.equal(sync.value.type, 'disabled');
  });

  it('computed values are unknown: expressions, env lookups without a fallback, assignments in blocks', () => {
    const computed = keepAlive('gunicorn -c g.py', {
      'g.py': 'worker_class = "gthread"\nkeepalive = 30 + EXTRA\n',
    }).fact;
    assertUnknown(computed, /g\.py:2: keepalive is computed \(keepalive = 30 \+ EXTRA\)/);
    const env = keepAlive('gunicorn -c g.py', {
      'g.py': 'import os\nworker_class = os.environ["WORKER"]\nkeepalive = 70\n',
    }).fact;
    assertUnknown(env, /worker_class reads WORKER, which is not set here/);
    // The variable set where the process runs: read.
    const set = keepAlive(
      'gunicorn -c g.py',
      { 'g.py': 'import os\nworker_class = os.environ["WORKER"]\nkeepalive = 70\n' },
      { WORKER: 'gevent' },
    ).fact;
    assert.equal(msOf(set), 70_000);
    const nested = keepAlive('gunicorn -c g.py', {
      'g.py': 'worker_class = "gthread"\nif PROD:\n    keepalive = 75\n',
    }).fact;
    assertUnknown(nested, /keepalive is assigned inside a block/);
  });
});

describe('Puma config/puma.rb', () => {
  it('-C FILE not available: unknown, not the default', () => {
    const { fact } = keepAlive('bundle exec puma -C config/puma.rb');
    assertUnknown(fact, /persistent_timeout may be set in config\/puma\.rb, which was not available/);
  });

  it("no file of the app: unknown; the app's folder searched (proc:) and no config/puma.rb: the default", () => {
    assertUnknown(keepAlive('bundle exec puma').fact, /Puma loads config\/puma\.rb from the app's folder/);
    const searched = interpretProcess({
      argv: ['bundle', 'exec', 'puma'],
      env: new Map(),
      files: new Map(),
      appFolderSearched: true,
      origin: 'process 42',
    });
    const fact = searched!.facts[0]!;
    assert.equal(fact.isDefault, true);
    assert.equal(msOf(fact), 65_000);
  });

  it('available: persistent_timeout read; computed: unknown', () => {
    assert.equal(
      msOf(keepAlive('puma -C config/puma.rb', { 'config/puma.rb': 'persistent_timeout 70\n' }).fact),
      70_000,
    );
    const computed = keepAlive('puma -C config/puma.rb', {
      'config/puma.rb': 'persistent_timeout base_timeout * 2\n',
    }).fact;
    assertUnknown(computed, /persistent_timeout is computed/);
    const env = keepAlive('puma -C config/puma.rb', {
      'config/puma.rb': 'persistent_timeout Integer(ENV["PT"])\n',
    }).fact;
    assertUnknown(env, /reads PT, which is not set here/);
  });
});

describe('deployment readers hand the unknown on', () => {
  it('compose: a gunicorn -c file in the build context is read when present, unknown when not', () => {
    const compose = [
      'services:',
      '  app:',
      '    build: .',
      '    command: ["gunicorn", "-c", "conf/gunicorn-conf.py"]',
      '',
    ].join('\n');
    const missing = readCompose({ text: compose, file: 'proj/compose.yaml' });
    const side = missing.sides[0]!;
    assertUnknown(side.facts.find((f) => f.subject === 'server-keepalive')!, /was not available to read/);
    const present = readCompose({
      text: compose,
      file: 'proj/compose.yaml',
      includes: new Map([['proj/conf/gunicorn-conf.py', 'worker_class = "gthread"\nkeepalive = 75\n']]),
    });
    assert.equal(msOf(present.sides[0]!.facts.find((f) => f.subject === 'server-keepalive')!), 75_000);
  });

  it('ECS: a task definition cannot carry the config file: unknown', () => {
    const task = JSON.stringify({
      family: 'web',
      containerDefinitions: [
        { name: 'web', image: 'example/web:1', command: ['bundle', 'exec', 'puma', '-C', 'config/puma.rb'] },
      ],
    });
    const { sides } = readEcsTaskDefinition({ text: task, file: 'task.json' });
    assertUnknown(
      sides[0]!.facts.find((f) => f.subject === 'server-keepalive')!,
      /config\/puma\.rb, which was not available/,
    );
  });
});

describe('environment that is not known', () => {
  it('compose: env_file that is not read makes a default keep-alive unknown', () => {
    // (ECS `environment = local.env_vars` is covered by the real-world suite: pycon web_task.tf.)
    const compose = readCompose({
      text: 'services:\n  web:\n    image: example/web:1\n    env_file: .env.production\n    command: uvicorn app:app\n',
      file: 'compose.yaml',
    });
    const fact = compose.sides[0]!.facts.find((f) => f.subject === 'server-keepalive')!;
    assertUnknown(fact, /env_file \.env\.production .* is not read/);
    // Without env_file the same service has uvicorn's default.
    const plain = readCompose({
      text: 'services:\n  web:\n    image: example/web:1\n    command: uvicorn app:app\n',
      file: 'compose.yaml',
    });
    assert.equal(msOf(plain.sides[0]!.facts.find((f) => f.subject === 'server-keepalive')!), 5_000);
  });

  it('a variable in force whose value is a template is unknown, not the default', () => {
    // A .json.tpl as Terraform's templatefile() reads it: `${...}` placeholders are literal text here.
    const placeholder = (name: string) => `\${${name}}`;
    const task = JSON.stringify([
      {
        name: 'api',
        image: placeholder('image'),
        command: ['uvicorn', 'app:app'],
        environment: [{ name: 'UVICORN_TIMEOUT_KEEP_ALIVE', value: placeholder('keepalive') }],
      },
    ]);
    const { sides } = readEcsTaskDefinition({ text: task, file: 'app.json.tpl' });
    assertUnknown(
      sides[0]!.facts.find((f) => f.subject === 'server-keepalive')!,
      /UVICORN_TIMEOUT_KEEP_ALIVE=\$\{keepalive\}.*is in force but is not a value/,
    );
  });
});

describe('the other server readers: a value they cannot read is unknown', () => {
  it('httpd: KeepAliveTimeout with a Define variable, an Include that may set it, no httpd.conf at all', () => {
    const variable = keepAlive('httpd-foreground', {
      'conf/httpd.conf': `Listen 80\nKeepAliveTimeout ${'$'}{KA}\n`,
    }).fact;
    assertUnknown(variable, /KeepAliveTimeout \$\{KA\} .* is not a value this tool can read/);
    const included = keepAlive('httpd-foreground', {
      'conf/httpd.conf': 'Listen 80\nInclude conf/extra/httpd-default.conf\n',
    }).fact;
    assertUnknown(included, /includes conf\/extra\/httpd-default\.conf, which may set it/);
    assertUnknown(keepAlive('httpd-foreground').fact, /httpd\.conf, which was not available/);
    // A file that sets nothing and includes nothing: httpd's compiled-in default.
    assert.equal(msOf(keepAlive('httpd-foreground', { 'conf/httpd.conf': 'Listen 80\n' }).fact), 5_000);
  });

  it('Tomcat: an attribute with a property substitution, and no server.xml', () => {
    const xml =
      '<Server><Service><Connector port="8080" protocol="HTTP/1.1" keepAliveTimeout="$' +
      '{ka}"/></Service></Server>';
    assertUnknown(
      keepAlive('catalina.sh run', { 'conf/server.xml': xml }).fact,
      /is not a value this tool can read/,
    );
    assertUnknown(keepAlive('catalina.sh run').fact, /conf\/server\.xml, which was not available/);
  });

  it('hypercorn -c FILE: not available, or a computed keep_alive_timeout', () => {
    assertUnknown(keepAlive('hypercorn app:app -c conf.py').fact, /conf\.py, which was not available/);
    assertUnknown(
      keepAlive('hypercorn app:app -c conf.py', { 'conf.py': 'keep_alive_timeout = base * 2\n' }).fact,
      /keep_alive_timeout is computed/,
    );
    // --keep-alive on the command line beats the file.
    assert.equal(msOf(keepAlive('hypercorn app:app -c conf.py --keep-alive 70').fact), 70_000);
  });

  it('Spring Boot and Kestrel with no file of the app: unknown; a placeholder value: unknown', () => {
    assertUnknown(keepAlive('java -jar app.jar').fact, /application\.properties\/yml packed in the app/);
    assertUnknown(keepAlive('dotnet Api.dll').fact, /appsettings\.json .* is not available/);
    const placeholder = keepAlive('java -jar app.jar', {
      'src/main/resources/application.properties': 'server.tomcat.keep-alive-timeout=$' + '{KA}\n',
    }).fact;
    assertUnknown(placeholder, /is in force but is not a value this tool can read/);
  });

  it('uvicorn and Next.js: a flag whose value is a shell variable', () => {
    assertUnknown(
      keepAlive('uvicorn app:app --timeout-keep-alive $KA').fact,
      /is in force but is not a value/,
    );
    assertUnknown(keepAlive('next start --keepAliveTimeout $KA').fact, /is in force but is not a value/);
  });
});
