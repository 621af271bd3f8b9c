// End-to-end: spawn the built CLI as a user would and check stdout, stderr and the exit code.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, cleanEnv, root } from '../helpers/cli.mjs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

/** Runs `svl ...args` synchronously from the repository root, in cleanEnv's hermetic environment. */
function svl(args, extraEnv) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, env: cleanEnv(extraEnv), encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('svl --help / --version', () => {
  it('--help lists the commands on stdout and exits 0', () => {
    const r = svl(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: svl /);
    assert.match(r.stdout, /Commands:\n[\s\S]*config\s+Show what svl talks to/);
    assert.match(r.stdout, /Examples:/);
    assert.match(r.stdout, /--endpoint-url <url>/);
    assert.equal(r.stderr, '');
  });

  it('--version prints the package.json version', () => {
    for (const flag of ['--version', '-v']) {
      const r = svl([flag]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout.trim(), pkg.version);
    }
  });

  it('every command help has a description and an Examples section', () => {
    for (const args of [['config', '--help'], ['config', 'show', '--help'], ['help', 'config', 'get']]) {
      const r = svl(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /Examples:\n {2}\$ svl /, args.join(' '));
    }
  });
});

describe('start-up stays light', () => {
  // A module hook that reports every package the CLI resolves, to prove --help/--version load no SDK. The bin
  // runs the esbuild bundle (dist/bundle/), which keeps these packages in node_modules (checked below against
  // its metafile), so loading one is resolving it.
  const dir = mkdtempSync(join(tmpdir(), 'svl-e2e-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hooks.mjs'), `export async function resolve(s, c, next) {
    const r = await next(s, c);
    const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(r.url) ?? /\\/dist\\/(.+)$/.exec(r.url);
    if (m) process.stderr.write('LOADED ' + m[1] + '\\n');
    return r;
  }`);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});`);

  const HEAVY = ['@aws-sdk/client-sqs', '@aws-sdk/client-sns', '@aws-sdk/client-lambda', 'ora', '@inquirer/prompts'];
  it('the bundle keeps the AWS SDK, ora and inquirer out (they load from node_modules, seen by the hook)', () => {
    const meta = JSON.parse(readFileSync(join(root, 'dist/bundle/meta.json'), 'utf8'));
    const inputs = Object.keys(meta.inputs);
    assert.ok(inputs.includes('dist/cli.js'), 'the metafile lists what went into the bundle');
    for (const heavy of HEAVY) assert.ok(!inputs.some((p) => p.includes(`node_modules/${heavy}/`)), `${heavy} is bundled`);
  });

  for (const args of [['--version'], ['--help'], ['config', 'show', '--local']]) {
    it(`svl ${args.join(' ')} loads no AWS SDK, ora or inquirer`, () => {
      const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, bin, ...args], { env: cleanEnv(), encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const loaded = new Set([...r.stderr.matchAll(/^LOADED (.+)$/gm)].map((m) => m[1]));
      assert.ok(loaded.has('bundle/cli.mjs'), 'the hook sees what loads');
      for (const heavy of HEAVY) {
        assert.ok(!loaded.has(heavy), `${heavy} was loaded`);
      }
    });
  }
});

describe('usage errors exit 2 with nothing on stdout', () => {
  it('unknown command', () => {
    const r = svl(['frobnicate']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "Error: Unknown command 'frobnicate'\nHint: Run `svl --help`\n");
  });

  it('unknown command close to a real one suggests it', () => {
    const r = svl(['confg']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Did you mean config\?/);
  });

  it('unknown option, with a hint naming the command', () => {
    const r = svl(['config', 'show', '--frobnicate']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Error: Unknown option '--frobnicate'\nHint: Run `svl config show --help`\n$/);
  });

  it('missing argument of a command', () => {
    const r = svl(['config', 'get']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Error: Missing required argument 'key'\nHint: Run `svl config get --help`/);
  });

  it('invalid argument value', () => {
    const r = svl(['config', 'get', 'colour']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /'colour' is invalid for argument 'key'/);
  });

  it('help for an unknown command', () => {
    const r = svl(['help', 'frobnicate']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Error: Unknown command 'frobnicate'\n/);
  });

  it('a stack trace only with --debug', () => {
    assert.doesNotMatch(svl(['config', 'get', 'region']).stderr, /\n\s+at /);
    assert.match(svl(['config', 'get', 'region', '--debug']).stderr, /\n\s+at runConfigGet/);
  });

  it('no command at all prints the help on stderr', () => {
    const r = svl([]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Usage: svl/);
  });

  it('--local with --endpoint-url is a conflict', () => {
    const r = svl(['config', 'show', '--local', '--endpoint-url', 'http://127.0.0.1:9']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--local cannot be combined with --endpoint-url/);
  });

  it('an invalid endpoint from the environment names the variable', () => {
    const r = svl(['config', 'show'], { AWS_ENDPOINT_URL: 'localhost:4566' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Invalid endpoint URL "localhost:4566" \(from AWS_ENDPOINT_URL\)/);
  });
});

describe('--json errors', () => {
  it('prints one JSON object on stderr and nothing on stdout', () => {
    const r = svl(['frobnicate', '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const { error } = JSON.parse(r.stderr);
    assert.deepEqual(Object.keys(error).sort(), ['code', 'exitCode', 'hint', 'message', 'requestId']);
    assert.equal(error.code, 'UsageError');
    assert.equal(error.exitCode, 2);
    assert.equal(error.message, "Unknown command 'frobnicate'");
    assert.equal(error.hint, 'Run `svl --help`');
    assert.equal(error.requestId, null);
  });

  it('SVL_JSON=1 has the same effect', () => {
    const r = svl(['config', 'show', '--local', '--profile', 'x'], { SVL_JSON: '1' });
    assert.equal(r.code, 2);
    assert.equal(JSON.parse(r.stderr).error.exitCode, 2);
  });

  it('operational errors exit 1', () => {
    const r = svl(['config', 'get', 'region', '--json']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.deepEqual(JSON.parse(r.stderr).error, {
      code: 'NotSet',
      message: 'region is not set',
      hint: 'pass --region or set AWS_REGION (or use --local)',
      requestId: null,
      exitCode: 1,
    });
  });
});

describe('svl config', () => {
  it('config show --local --json: emulator endpoint, us-east-1, no secrets', () => {
    const r = svl(['config', 'show', '--local', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.kind, 'local');
    assert.equal(out.region, 'us-east-1');
    assert.equal(out.accountId, '000000000000');
    for (const s of ['sqs', 'sns', 'lambda']) assert.equal(out.endpoints[s], 'http://127.0.0.1:4566');
    assert.doesNotMatch(r.stdout, /secretAccessKey|accessKeyId|"test"/);
    assert.equal(r.stderr, '');
  });

  it('config alone defaults to show, and honours SVL_LOCAL_ENDPOINT', () => {
    const r = svl(['config', '--json'], { SVL_LOCAL: '1', SVL_LOCAL_ENDPOINT: 'http://127.0.0.1:4599' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).endpoints.sqs, 'http://127.0.0.1:4599');
  });

  it('flags beat SVL_* beat AWS_*', () => {
    const env = { AWS_REGION: 'eu-west-1', SVL_REGION: 'eu-north-1' };
    assert.equal(svl(['config', 'get', 'region'], env).stdout, 'eu-north-1\n');
    assert.equal(svl(['config', 'get', 'region', '--region', 'ap-south-1'], env).stdout, 'ap-south-1\n');
  });

  it('the human table goes to stdout without colour codes when piped', () => {
    const r = svl(['config', 'show', '--region', 'eu-west-1', '--profile', 'prod']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /│ region\s+│ eu-west-1\s+│ --region/);
    assert.match(r.stdout, /profile "prod" \(from --profile\)/);
    assert.doesNotMatch(r.stdout, /\x1b\[/);
  });
});
