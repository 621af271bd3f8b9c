// The machine's pip-installed AWS CLI (v1) as a test client: isolated config (no profile, no pager), the
// emulator as --endpoint-url, run as a child process so the in-process emulator keeps answering.
import { spawn } from 'node:child_process';

export const AWSCLI_INSTALL_HINT = 'Install the AWS CLI with: pip install awscli (CI: .ci/run does this).';

/** `aws …` against `url`; resolves { code, stdout, stderr }. */
export function aws(args, { url, region = 'us-east-1', timeoutMs = 60_000 } = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  Object.assign(env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '' });
  const full = url ? ['--endpoint-url', url, '--region', region, '--output', 'json', ...args] : args;
  return new Promise((resolve, reject) => {
    const child = spawn('aws', full, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`aws ${full.join(' ')} timed out:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? new Error(`\`aws\` is not on PATH. ${AWSCLI_INSTALL_HINT}`) : err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
