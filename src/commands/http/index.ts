/** `svl http <api> <method> <path>`: a curl-like request through an HTTP API's invoke URL. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export const name = 'http';
export const description = 'Send an HTTP request through an API Gateway HTTP API (local or AWS invoke URL): status, headers, body, and with --event the Lambda event';
export const examples = [
  'svl http users GET /users --local',
  `svl http users POST /users -H 'authorization: admin' -d '{"name":"Ada"}' --local`,
  'svl http users PUT /users/42 -d @user.json --event',
  'svl http a1b2c3d4e5 GET /health --json | jq .status',
];

export interface HttpFlags {
  header?: string[];
  data?: string;
  event?: boolean;
  stage?: string;
  fail?: boolean;
}

const collect = (v: string, all: string[]) => [...all, v];

export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('<api>', 'the API: its name or id')
    .argument('<method>', 'GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS')
    .argument('<path>', 'the path (and query), e.g. /users/42?full=1')
    .option('-H, --header <name:value>', 'a request header (repeatable)', collect, [])
    .option('-d, --data <body>', 'the request body: text, @file (sent as its bytes), or - for stdin; JSON gets content-type application/json unless -H sets one')
    .option('--event', 'also show the Lambda event(s) the request produced (emulator only: AWS does not expose them)')
    .option('--stage <name>', 'the stage to call', '$default')
    .option('--no-fail', 'exit 0 whatever the status (default: exit 1 on 4xx/5xx, after printing the response, like curl --fail-with-body)')
    .addHelpText('after', '\nExit codes: 0 for a 1xx-3xx response; 1 for a 4xx/5xx response (the response is still printed) or when no response arrives; 2 for bad input.')
    .action(async (api: string, method: string, path: string, opts: HttpFlags, cmd: Command) => {
      const { parseHttp, runHttp, httpFailure } = await import('./run.js');
      const { renderHttp } = await import('./render.js');
      const options = parseHttp(api, method, path, opts);
      const ui = ctx.ui(cmd);
      const result = await runHttp(options, ctx.target(cmd), ui, ctx.signal);
      ui.result(result, (r) => renderHttp(r, ui));
      const failure = httpFailure(result, options);
      if (failure) throw failure;
    });
}
