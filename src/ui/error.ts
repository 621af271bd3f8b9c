/**
 * How a failed command looks. Humans get `Error:`, `Hint:` and `Request id:` lines; --json gets one
 * JSON object on stderr with a fixed set of keys (null when absent) so scripts can rely on the shape.
 */
import type { Style } from './color.js';

export interface ErrorReport {
  code: string;
  message: string;
  hint?: string;
  requestId?: string;
  exitCode: number;
  stack?: string;
}

export function formatError(r: ErrorReport, opts: { json: boolean; debug: boolean; style: Style }): string {
  if (opts.json) {
    const error: Record<string, unknown> = {
      code: r.code,
      message: r.message,
      hint: r.hint ?? null,
      requestId: r.requestId ?? null,
      exitCode: r.exitCode,
    };
    if (opts.debug && r.stack) error.stack = r.stack;
    return `${JSON.stringify({ error })}\n`;
  }
  const s = opts.style;
  const lines = [`${s.red.bold('Error:')} ${r.message}`];
  if (r.hint) lines.push(`${s.yellow('Hint:')} ${r.hint}`);
  if (r.requestId) lines.push(`${s.dim('Request id:')} ${r.requestId}`);
  if (opts.debug && r.stack) lines.push('', s.dim(r.stack));
  return `${lines.join('\n')}\n`;
}

/** The error boundary's only way to the console: src/cli.ts decides, src/ui prints. */
export function printError(
  r: ErrorReport,
  opts: { json: boolean; debug: boolean; style: Style },
  stderr: { write(s: string): unknown } = process.stderr,
): void {
  stderr.write(formatError(r, opts));
}
