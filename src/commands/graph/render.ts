/**
 * Renderings of a discovered graph: a text tree, Mermaid (`flowchart LR`) and Graphviz dot. Pure and
 * deterministic: the graph arrives sorted (buildGraph), ids derive from names, so output can be diffed.
 */
import type { Graph, GraphEdge, GraphNode } from '../../aws/inventory-model.js';

// ---- text ----

const isDlqEdge = (e: GraphEdge) => e.kind === 'dead-letter' || e.kind === 'subscription-dead-letter';

function nodeText(n: GraphNode): string {
  const notes = [n.fifo && 'FIFO', n.deadLetter && n.kind === 'queue' && 'DLQ', n.external && 'not found'].filter(Boolean);
  const label = n.kind === 'function' ? `λ ${n.name}` : `${n.kind === 'endpoint' ? '' : `${n.kind} `}${n.name}`;
  return notes.length ? `${label} (${notes.join(', ')})` : label;
}

function edgeText(e: GraphEdge, to: GraphNode): string {
  switch (e.kind) {
    case 'subscription': {
      const notes = [e.raw && 'raw', e.pending && 'pending confirmation'].filter(Boolean);
      return `${e.protocol} → ${nodeText(to)}${e.filter ? `  [${e.filter}]` : ''}${notes.length ? `  (${notes.join(', ')})` : ''}`;
    }
    case 'dead-letter':
      return `dead-letter → ${nodeText(to)}${e.maxReceiveCount != null ? ` after ${e.maxReceiveCount} receives` : ''}`;
    case 'subscription-dead-letter':
      return `undeliverable → ${nodeText(to)}`;
    case 'event-source': {
      const notes = [e.batchSize != null && `batch ${e.batchSize}`, e.state && e.state !== 'Enabled' && e.state].filter(Boolean);
      return `consumer → ${nodeText(to)}${notes.length ? ` (${notes.join(', ')})` : ''}`;
    }
    case 'notification':
      return `${(e.events ?? []).join(',')} → ${nodeText(to)}${e.filter ? `  [${e.filter}]` : ''}`;
  }
}

/** A tree per topic; queues no topic feeds (and that are no DLQ) become roots of their own. */
export function renderText(g: Graph): string {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const out = new Map<string, GraphEdge[]>();
  const incoming = new Set<string>();
  for (const e of g.edges) {
    out.set(e.from, [...(out.get(e.from) ?? []), e]);
    incoming.add(e.to);
  }
  const printed = new Set<string>();
  const lines: string[] = [];

  // Children of a node: for a topic, its subscriptions (each followed by its own undeliverable-DLQ);
  // for a queue, its DLQ and its consumers.
  const children = (id: string): Array<{ edge: GraphEdge; nested: GraphEdge[] }> => {
    const edges = out.get(id) ?? [];
    const subDlqs = edges.filter((e) => e.kind === 'subscription-dead-letter');
    return edges
      .filter((e) => e.kind !== 'subscription-dead-letter')
      .map((edge) => ({ edge, nested: edge.kind === 'subscription' ? subDlqs.filter((d) => d.subscription === edge.subscription) : [] }));
  };

  const walk = (id: string, prefix: string, path: Set<string>) => {
    printed.add(id);
    const kids = children(id);
    kids.forEach(({ edge, nested }, i) => {
      const last = i === kids.length - 1;
      const to = byId.get(edge.to)!;
      const cycle = path.has(edge.to);
      // A bucket's destination is usually shown under its topic already: named, not repeated.
      const above = edge.kind === 'notification' && printed.has(edge.to) && children(edge.to).length > 0;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${edgeText(edge, to)}${cycle ? ' (cycle)' : above ? ' (above)' : ''}`);
      if (above) return;
      const inner = `${prefix}${last ? '    ' : '│   '}`;
      nested.forEach((d, j) => {
        const lastNested = j === nested.length - 1 && (cycle || children(edge.to).length === 0);
        lines.push(`${inner}${lastNested ? '└── ' : '├── '}${edgeText(d, byId.get(d.to)!)}`);
        printed.add(d.to);
      });
      if (!cycle) walk(edge.to, inner, new Set([...path, edge.to]));
    });
  };

  const roots = [
    ...g.nodes.filter((n) => n.kind === 'topic'),
    ...g.nodes.filter((n) => n.kind !== 'topic' && !incoming.has(n.id)),
  ];
  for (const n of roots) {
    lines.push(nodeText(n));
    walk(n.id, '', new Set([n.id]));
  }
  // Whatever is only reachable through a cycle of queues.
  for (const n of g.nodes) {
    if (printed.has(n.id)) continue;
    lines.push(nodeText(n));
    walk(n.id, '', new Set([n.id]));
  }
  return lines.join('\n');
}

// ---- shared: stable, readable ids ----

const PREFIX: Record<GraphNode['kind'], string> = { topic: 't', queue: 'q', endpoint: 'e', function: 'f', bucket: 'b' };

export function nodeIds(nodes: readonly GraphNode[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const n of nodes) {
    const base = `${PREFIX[n.kind]}_${n.name.replace(/^https?:\/\//, '').replace(/[^A-Za-z0-9_]/g, '_')}`;
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    ids.set(n.id, id);
  }
  return ids;
}

function edgeLabel(e: GraphEdge, nodes: Map<string, GraphNode>): string {
  switch (e.kind) {
    case 'subscription':
      return [e.pending && 'pending', e.filter, e.raw && 'raw'].filter(Boolean).join(' · ');
    case 'dead-letter':
      return e.maxReceiveCount != null ? `DLQ after ${e.maxReceiveCount}` : 'DLQ';
    case 'subscription-dead-letter': {
      return 'undeliverable';
    }
    case 'event-source':
      return [e.batchSize != null && `batch ${e.batchSize}`, e.state && e.state !== 'Enabled' && e.state].filter(Boolean).join(' · ') || (nodes.get(e.to)?.name ?? '');
    case 'notification':
      return [(e.events ?? []).join(','), e.filter].filter(Boolean).join(' · ');
  }
}

// ---- mermaid ----

const mermaidText = (s: string) => s.replace(/"/g, '#quot;').replace(/\|/g, '#124;').replace(/</g, '#lt;').replace(/>/g, '#gt;');

export function renderMermaid(g: Graph): string {
  const ids = nodeIds(g.nodes);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const lines = ['flowchart LR'];
  for (const n of g.nodes) {
    const id = ids.get(n.id)!;
    const label = mermaidText(n.kind === 'function' ? `λ ${n.name}` : `${n.name}${n.fifo && n.kind === 'topic' ? ' (FIFO)' : ''}`);
    const shape = n.kind === 'topic' ? `{{"${label}"}}` : n.kind === 'queue' ? `[("${label}")]` : n.kind === 'function' ? `(["${label}"])` : n.kind === 'bucket' ? `[["${label}"]]` : `>"${label}"]`;
    lines.push(`  ${id}${shape}`);
  }
  for (const e of g.edges) {
    const label = edgeLabel(e, byId);
    const arrow = e.kind === 'event-source' ? '==>' : isDlqEdge(e) || e.pending ? '-.->' : '-->';
    lines.push(`  ${ids.get(e.from)}${` ${arrow}`}${label ? `|"${mermaidText(label)}"|` : ''} ${ids.get(e.to)}`);
  }
  const dlqs = g.nodes.filter((n) => n.deadLetter).map((n) => ids.get(n.id));
  const external = g.nodes.filter((n) => n.external).map((n) => ids.get(n.id));
  if (dlqs.length) lines.push('  classDef dlq stroke:#d33,stroke-width:2px', `  class ${dlqs.join(',')} dlq`);
  if (external.length) lines.push('  classDef external stroke-dasharray:5 5', `  class ${external.join(',')} external`);
  return lines.join('\n');
}

// ---- dot ----

const dotText = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function renderDot(g: Graph, name: string): string {
  const ids = nodeIds(g.nodes);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const lines = [`digraph ${dotText(name)} {`, '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=9];'];
  for (const n of g.nodes) {
    const attrs: string[] = [];
    const notes = [n.fifo && 'FIFO', n.deadLetter && 'DLQ', n.external && 'not found'].filter(Boolean).join(', ');
    attrs.push(`label=${dotText(`${n.kind === 'function' ? 'λ ' : ''}${n.name}${notes ? `\n(${notes})` : ''}`)}`);
    attrs.push(`shape=${n.kind === 'topic' ? 'hexagon' : n.kind === 'queue' ? 'cylinder' : n.kind === 'function' ? 'box, style=rounded' : n.kind === 'bucket' ? 'folder' : 'note'}`);
    if (n.deadLetter) attrs.push('color=red');
    if (n.external) attrs.push(n.kind === 'function' ? 'style="rounded,dashed"' : 'style=dashed');
    lines.push(`  ${dotText(ids.get(n.id)!)} [${attrs.join(', ')}];`);
  }
  for (const e of g.edges) {
    const attrs: string[] = [];
    const label = edgeLabel(e, byId);
    if (label) attrs.push(`label=${dotText(label)}`);
    if (isDlqEdge(e)) attrs.push('style=dashed', 'color=red');
    else if (e.pending) attrs.push('style=dashed');
    if (e.kind === 'event-source') attrs.push('penwidth=2');
    lines.push(`  ${dotText(ids.get(e.from)!)} -> ${dotText(ids.get(e.to)!)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n');
}
