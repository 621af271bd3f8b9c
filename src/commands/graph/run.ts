/** The work of `svl graph`: discover (with Lambda event source mappings), narrow to a flow, build the graph. */
import { getLambda, getS3, getSns, getSqs } from '../../aws/clients.js';
import { buildGraph, discoverInventory, flowNames, flowNotFound, selectFlow, type GraphEdge, type GraphNode } from '../../aws/inventory.js';
import type { Target } from '../../aws/target.js';
import type { Ui } from '../../ui/index.js';
import type { GraphFormat } from './index.js';
import { renderDot, renderMermaid, renderText } from './render.js';

export interface GraphResult {
  /** Null: everything in the account/emulator. */
  flow: string | null;
  target: { kind: 'local' | 'aws'; region: string | null };
  /** Whether Lambda event source mappings could be listed; when not, the graph has no consumers. */
  consumers: { available: boolean; reason?: string };
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export async function runGraph(o: { flow?: string }, target: Target, ui: Pick<Ui, 'info'>, signal?: AbortSignal): Promise<GraphResult> {
  const [sqs, sns, lambda, s3] = await Promise.all([getSqs(target, ui), getSns(target, ui), getLambda(target, ui), getS3(target, ui)]);
  const inv = await discoverInventory({ target, sqs, sns, lambda, s3, signal });
  const scoped = o.flow === undefined ? inv : selectFlow(inv, o.flow);
  if (!scoped) throw flowNotFound(o.flow!, flowNames(inv), target);
  const graph = buildGraph(scoped);
  return {
    flow: o.flow ?? null,
    target: { kind: target.kind, region: target.region ?? null },
    consumers: inv.lambda ?? { available: false, reason: 'not queried' },
    ...graph,
  };
}

export function renderGraph(r: GraphResult, format: GraphFormat): string {
  if (format === 'mermaid') return renderMermaid(r);
  if (format === 'dot') return renderDot(r, r.flow ?? 'svl');
  if (r.nodes.length === 0) return `No topics or queues found (${r.target.kind === 'local' ? 'local emulator' : (r.target.region ?? 'AWS')}).`;
  return renderText(r);
}
