/**
 * The only door to the terminal. Results go to stdout (JSON with --json, a human rendering otherwise);
 * everything else - progress, warnings, hints, prompts - goes to stderr so `svl … --json | jq` works.
 * chalk is light and loaded eagerly; cli-table3, ora and @inquirer/prompts load on first use.
 */
import { createRequire } from 'node:module';
import { envFlag, type Env } from '../env.js';
import { colorLevel, createStyle, type Style } from './color.js';
import { createPrompts, type Prompts } from './prompts.js';
import { createSpinner, type Spinner } from './spinner.js';

export type { Prompts, Spinner, Style };
export { colorLevel, createStyle } from './color.js';
export { formatError, printError, type ErrorReport } from './error.js';

type OutStream = NodeJS.WritableStream & { isTTY?: boolean };

export interface UiIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface UiOptions {
  json: boolean;
  yes: boolean;
  /** false with --no-color. */
  color: boolean;
  debug: boolean;
  env: Env;
  io?: UiIo;
}

export type Cell = string | number | boolean | null | undefined;

export interface Ui {
  readonly json: boolean;
  /** Colours for text bound for stdout (level 0 when stdout is not a colour terminal). */
  readonly style: Style;
  /** Colours for text bound for stderr. */
  readonly errStyle: Style;
  /** Prompts that never prompt when nobody can answer. */
  readonly ask: Prompts;
  /** The command's result: JSON on stdout with --json, else whatever `render` returns, on stdout. */
  result<T>(data: T, render: (data: T) => string | void): void;
  /**
   * One result of a stream (`status --watch`, `tail`): one compact JSON line with --json (NDJSON),
   * else whatever `render` returns, on stdout.
   */
  record<T>(data: T, render: (data: T) => string | void): void;
  /** Clears the terminal before a redraw; does nothing unless stdout is a terminal and not --json. */
  clear(): void;
  info(message: string): void;
  warn(message: string): void;
  success(message: string): void;
  /** The next useful command, or advice. */
  hint(message: string): void;
  /** Printed only with --debug. */
  debug(message: string): void;
  /** A table as a string, ready for a renderer to return. */
  table(head: readonly string[], rows: readonly (readonly Cell[])[]): string;
  spinner(text: string): Promise<Spinner>;
}

export function createUi(o: UiOptions): Ui {
  const io: UiIo = o.io ?? { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
  const style = createStyle(colorLevel(io.stdout, o.env, o.color));
  const errStyle = createStyle(colorLevel(io.stderr, o.env, o.color));
  const err = (line: string) => void io.stderr.write(`${line}\n`);
  const ask = createPrompts({ stdin: io.stdin, stderr: io.stderr, ci: envFlag(o.env, 'CI'), json: o.json, yes: o.yes });

  const ui: Ui = {
    json: o.json,
    style,
    errStyle,
    ask,
    result(data, render) {
      if (o.json) {
        io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
        return;
      }
      const text = render(data);
      if (typeof text === 'string' && text !== '') io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    record(data, render) {
      if (o.json) {
        io.stdout.write(`${JSON.stringify(data)}\n`);
        return;
      }
      const text = render(data);
      if (typeof text === 'string' && text !== '') io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    clear() {
      // Erase the screen and the scrollback, cursor home: a redraw, not a scroll.
      if (io.stdout.isTTY && !o.json) io.stdout.write('\x1b[2J\x1b[3J\x1b[H');
    },
    info: (m) => err(m),
    warn: (m) => err(`${errStyle.yellow('Warning:')} ${m}`),
    success: (m) => err(errStyle.level > 0 ? `${errStyle.green('✔')} ${m}` : m),
    hint: (m) => err(errStyle.dim(m)),
    debug: (m) => {
      if (o.debug) err(errStyle.dim(`[debug] ${m}`));
    },
    table: (head, rows) => renderTable(head, rows, style),
    spinner: (text) =>
      createSpinner(text, {
        stream: io.stderr,
        enabled: Boolean(io.stderr.isTTY) && !o.json && !envFlag(o.env, 'CI'),
        color: errStyle.level > 0,
        line: (kind, t) => {
          if (kind === 'success') ui.success(t);
          else if (kind === 'warn') ui.warn(t);
          else err(errStyle.level > 0 ? `${errStyle.red('✖')} ${t}` : t);
        },
      }),
  };
  return ui;
}

// cli-table3 is CommonJS and synchronous callers want a string back, so require it on first use.
const require = createRequire(import.meta.url);
type TableCtor = new (opts: object) => { push(...rows: unknown[]): number; toString(): string };

function renderTable(head: readonly string[], rows: readonly (readonly Cell[])[], style: Style): string {
  const Table = require('cli-table3') as TableCtor;
  const table = new Table({
    head: head.map((h) => style.bold(h)),
    // cli-table3 colours headers and borders itself unless told not to; colour is our decision.
    style: { head: [], border: [] },
    // No rule between body rows: compact and easier to scan.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) table.push(row.map((c) => (c === null || c === undefined ? '' : String(c))));
  return table.toString();
}
