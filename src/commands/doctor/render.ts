/**
 * `svl doctor` for humans: one block per flow (errors first), each finding as its id and title, why it
 * matters, and the fix - `svl doctor --fix` when svl can apply it, else the exact command (notes: two
 * lines, what and the fix in words). Then what could
 * not be checked and a one-line summary. --json prints the result object instead (run.ts).
 */
import type { Style } from '../../ui/index.js';
import type { Finding, NotChecked, Severity } from '../../flows/doctor/index.js';
import type { DoctorOptions, DoctorResult, FlowReport } from './run.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const MARK: Record<Severity, (s: Style) => string> = {
  error: (s) => s.red('✖ error  '),
  warning: (s) => s.yellow('▲ warning'),
  note: (s) => s.cyan('● note   '),
};

export function renderDoctor(r: DoctorResult, s: Style, o: Pick<DoctorOptions, 'flow' | 'fix'>): string {
  const out: string[] = [];
  const fixCmd = `svl doctor ${o.flow ?? '--all'}${r.target.kind === 'local' ? ' --local' : ''} --fix`;
  if (r.fixed?.length) {
    out.push(s.bold('Fixed:'));
    for (const x of r.fixed) out.push(`  ${x.ok ? s.green('✔') : s.red('✖')} ${x.change}${x.error ? s.red(` - ${x.error}`) : ''}`);
    if (r.pendingPropagation) out.push(s.yellow('  Pending propagation: AWS can take a minute to apply IAM and policy changes everywhere, so they were not checked again yet.'));
    out.push('');
  }
  if (r.flows.length === 0) out.push('No flows to check (nothing carries the svl:flow tag).');
  for (const f of r.flows) out.push(renderFlow(f, s, fixCmd), '');
  if (r.notChecked.length) {
    out.push(s.dim('Not checked:'));
    for (const n of r.notChecked) out.push(s.dim(`  - ${n.check}: ${n.reason}`));
    out.push('');
  }
  const { errors, warnings, notes } = r.summary;
  const counts = [errors ? s.red(plural(errors, 'error')) : '', warnings ? s.yellow(plural(warnings, 'warning')) : '', notes ? s.cyan(plural(notes, 'note')) : ''].filter(Boolean);
  out.push(`${plural(r.summary.flows, 'flow')} checked: ${counts.length ? counts.join(', ') : s.green('no problems found')} ${s.dim(`(${callsText(r.calls)})`)}`);
  return out.join('\n');
}

function renderFlow(f: FlowReport, s: Style, fixCmd: string): string {
  const c = { error: 0, warning: 0, note: 0 };
  for (const x of f.findings) c[x.severity]++;
  const counts = [c.error && s.red(plural(c.error, 'error')), c.warning && s.yellow(plural(c.warning, 'warning')), c.note && s.cyan(plural(c.note, 'note'))].filter(Boolean);
  const lines = [`${s.bold(`Flow ${f.flow}`)}  ${counts.length ? counts.join(' · ') : s.green('✔ no problems found')}`];
  for (const x of f.findings) lines.push('', ...renderFinding(x, s, fixCmd));
  if (f.notChecked.length) lines.push('', ...f.notChecked.map((n) => s.dim(`  not checked: ${n.check} (${resourcesOf(n)}): ${n.reason}`)));
  return lines.join('\n');
}

function renderFinding(x: Finding, s: Style, fixCmd: string): string[] {
  // Notes stay short: what and the fix in words (the command is in --json).
  if (x.severity === 'note') return [`  ${MARK.note(s)}  ${x.title}  ${s.dim(x.id)}`, `    ${s.dim('fix:')} ${x.fix.summary}`];
  return [
    `  ${MARK[x.severity](s)}  ${x.title}  ${s.dim(x.id)}`,
    `    ${s.dim('why:')} ${x.why}`,
    `    ${s.dim('fix:')} ${x.fix.summary}`,
    x.fix.action ? `         ${s.dim('$')} ${fixCmd}` : x.fix.code ? `         ${s.dim('code:')} ${x.fix.command}` : `         ${s.dim('$')} ${x.fix.command}`,
  ];
}

const PASS = { before: 'before fixing', fix: 'fixing', after: 'after' } as const;
const callsText = (c: DoctorResult['calls']) =>
  `${plural(c.total, 'AWS call')}${c.passes ? `: ${c.passes.map((p) => `${p.total} ${PASS[p.pass]}`).join(', ')}` : ''}`;

const resourcesOf = (n: NotChecked) => n.resources.map((r) => r.name).join(', ') || 'all';
