/** Human output of `svl http`: coloured status line, headers, body (JSON pretty-printed), events. */
import type { Ui } from '../../ui/index.js';
import type { HttpResult } from './run.js';

export function renderHttp(r: HttpResult, ui: Ui): string {
  const s = ui.style;
  const colour = r.status >= 500 ? s.red : r.status >= 400 ? s.yellow : r.status >= 300 ? s.cyan : s.green;
  const lines = [`${colour(s.bold(`HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ''}`))} ${s.dim(`${r.method} ${r.url} (${Math.round(r.elapsedMs)} ms)`)}`];
  for (const [k, v] of Object.entries(r.headers).sort(([a], [b]) => a.localeCompare(b))) lines.push(`${s.cyan(k)}: ${v}`);
  for (const c of r.cookies) lines.push(`${s.cyan('set-cookie')}: ${c}`);
  lines.push('');
  if (r.bodyEncoding === 'base64') lines.push(s.dim(`(${Buffer.from(r.body, 'base64').length} bytes of ${r.headers['content-type'] ?? 'binary data'}; --json shows them in base64)`));
  else if (r.json !== undefined) lines.push(JSON.stringify(r.json, null, 2));
  else if (r.body) lines.push(r.body);
  if (r.events) {
    lines.push('');
    if (r.events.length === 0) lines.push(s.dim(`No Lambda event: ${r.eventNote ?? 'none recorded'}`));
    for (const e of r.events as Array<{ kind?: string; function?: string; routeKey?: string; payloadFormatVersion?: string; event?: unknown; bodyTruncatedFrom?: number }>) {
      lines.push(s.bold(`Lambda event (${e.kind === 'authorizer' ? 'authorizer' : 'route'} ${e.routeKey ?? ''} -> λ ${e.function ?? '?'}, payload ${e.payloadFormatVersion ?? '?'}):`));
      lines.push(JSON.stringify(e.event, null, 2));
      if (e.bodyTruncatedFrom !== undefined) {
        const kept = typeof (e.event as { body?: unknown })?.body === 'string' ? (e.event as { body: string }).body.length : 0;
        lines.push(s.dim(`(body cut: the emulator keeps the first ${kept} of its ${e.bodyTruncatedFrom} characters; the function got all of them)`));
      }
    }
  }
  return lines.join('\n');
}
