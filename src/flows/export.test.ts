/**
 * The exported IaC must describe exactly what `svl apply` creates. Each export is read back (a small
 * HCL reader for the subset the exporter writes; JSON.parse for CloudFormation), its references are
 * resolved against declared resources only, the dependency graph must be acyclic, and the resulting
 * attributes, policies, tags, subscriptions and event source mappings are compared with plan.ts's
 * desired-state functions for the same spec.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportCloudFormation, exportTerraform, logicalId } from './export.js';
import { escapeHcl, fromJson, hclIdentifier, renderValue, Ref, Tpl, Call } from './hcl.js';
import { desiredDlqAttributes, desiredQueueAttributes, desiredSubscriptionAttributes, desiredSubscriptionDlqAttributes, desiredTopicAttributes } from './plan.js';
import { flowTags, validateSpec, type FlowSpec } from './spec.js';

const REGION = 'eu-west-3';
const ACCOUNT = '123456789012';
const ctx = { kind: 'aws' as const, region: REGION, account: ACCOUNT };
const arnOf = (service: string, name: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${name}`;
const urlOf = (name: string) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;

/** A standard fan-out with filters (both scopes), a queue without DLQ, custom settings, awkward text and a consumer. */
const standard: FlowSpec = validateSpec({
  name: 'orders',
  topic: { name: 'orders-events' },
  tags: { team: 'billing "core" \\ ${var.x} %{if} $${y}', env: 'prod\nline2', 'cost:center': 'é-ü' },
  queues: [
    { id: 'billing', name: 'orders-billing', visibilityTimeout: 120, rawDelivery: true, filterPolicy: { type: ['invoice', 'credit-note'], amount: [{ numeric: ['>', 100, '<=', 1e6] }] } },
    {
      id: 'ship-ments',
      name: 'orders-shipments',
      filterPolicyScope: 'MessageBody',
      filterPolicy: { order: { status: [{ prefix: '${ship' }], 'for': [{ exists: true }] }, note: ['50%{off}', 'a"b\\c', null] },
      dlq: { name: 'shipments-dead', maxReceiveCount: 3, retentionSeconds: 86_400 },
      subscriptionDlq: { name: 'shipments-undeliverable', retentionSeconds: 172_800 },
      consumer: { function: 'ship-worker', batchSize: 100, batchingWindowSeconds: 5, reportBatchItemFailures: false },
    },
    { id: 'audit', name: 'orders-audit', dlq: false, delaySeconds: 10, retentionSeconds: 600 },
  ],
});

/** A FIFO fan-out with content-based dedup and consumers (two queues share one function). */
const fifo: FlowSpec = validateSpec({
  name: 'payments',
  topic: { name: 'payments.fifo', fifo: true, contentBasedDeduplication: true },
  tags: { owner: 'ledger-team' },
  queues: [
    { id: 'ledger', name: 'payments-ledger.fifo', rawDelivery: true, subscriptionDlq: true, consumer: { function: 'ledger-writer', batchSize: 10 } },
    { id: 'notify', name: 'payments-notify.fifo', filterPolicy: { kind: ['refund'] }, consumer: { function: 'ledger-writer', batchSize: 5, reportBatchItemFailures: false } },
    { id: 'archive', name: 'payments-archive.fifo', consumer: { function: 'archiver' } },
  ],
});

// ---------------------------------------------------------------------------------------------------
// What the IaC would create, in SQS/SNS API terms, independently of the format.

interface Deployed {
  topic: { name: string; attrs: Record<string, string>; tags: Record<string, string> };
  queues: Map<string, { attrs: Record<string, string>; tags: Record<string, string> }>;
  subs: Map<string, { topicArn: string; protocol: string; attrs: Record<string, string> }>;
  esms: Array<{ queueArn: string; fn: string; enabled: boolean; batchSize: number; window?: number; types: string[] }>;
}

const JSON_KEYS = new Set(['Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'FilterPolicy']);
function assertAttrs(actual: Record<string, string>, desired: Record<string, string>, what: string): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(desired).sort(), `${what}: attribute set`);
  for (const [k, v] of Object.entries(desired)) {
    if (JSON_KEYS.has(k)) assert.deepEqual(JSON.parse(actual[k]!), JSON.parse(v), `${what}: ${k}`);
    else assert.equal(actual[k], v, `${what}: ${k}`);
  }
}

/** The deployed model equals what apply would create for `spec` (plan.ts desired state, AWS target). */
function assertMatchesApply(spec: FlowSpec, d: Deployed): void {
  const tags = flowTags(spec);
  assert.equal(d.topic.name, spec.topic.name);
  assertAttrs(d.topic.attrs, desiredTopicAttributes(spec), 'topic');
  assert.deepEqual(d.topic.tags, tags, 'topic tags');
  const expectedQueues = spec.queues.flatMap((q) => [q.name, ...(q.dlq ? [q.dlq.name] : []), ...(q.subscriptionDlq ? [q.subscriptionDlq.name] : [])]).sort();
  assert.deepEqual([...d.queues.keys()].sort(), expectedQueues, 'exactly the queues, DLQs and subscription DLQs of the spec');
  for (const q of spec.queues) {
    const queue = d.queues.get(q.name)!;
    assertAttrs(queue.attrs, desiredQueueAttributes(spec, q, ctx), `queue ${q.name}`);
    assert.deepEqual(queue.tags, tags, `queue ${q.name} tags`);
    if (q.dlq) {
      const dlq = d.queues.get(q.dlq.name)!;
      assertAttrs(dlq.attrs, desiredDlqAttributes(spec, q, ctx), `DLQ ${q.dlq.name}`);
      assert.deepEqual(dlq.tags, tags, `DLQ ${q.dlq.name} tags`);
    }
    if (q.subscriptionDlq) {
      const sd = d.queues.get(q.subscriptionDlq.name)!;
      assertAttrs(sd.attrs, desiredSubscriptionDlqAttributes(spec, q, ctx), `subscription DLQ ${q.subscriptionDlq.name}`);
      assert.deepEqual(sd.tags, tags, `subscription DLQ ${q.subscriptionDlq.name} tags`);
    }
    const sub = d.subs.get(arnOf('sqs', q.name));
    assert.ok(sub, `a subscription for ${q.name}`);
    assert.equal(sub.topicArn, arnOf('sns', spec.topic.name));
    assert.equal(sub.protocol, 'sqs');
    assertAttrs(sub.attrs, desiredSubscriptionAttributes(q, ctx), `subscription of ${q.name}`);
  }
  assert.equal(d.subs.size, spec.queues.length, 'one subscription per queue');
  const consumers = spec.queues.filter((q) => q.consumer);
  assert.equal(d.esms.length, consumers.length, 'one event source mapping per consumer');
  for (const q of consumers) {
    const c = q.consumer!;
    const m = d.esms.find((e) => e.queueArn === arnOf('sqs', q.name));
    assert.ok(m, `an event source mapping for ${q.name}`);
    assert.equal(m.fn, c.function);
    assert.equal(m.enabled, true);
    assert.equal(m.batchSize, c.batchSize);
    assert.equal(m.window ?? 0, c.batchingWindowSeconds);
    if (spec.topic.fifo) assert.equal(m.window, undefined, 'no batching window on FIFO queues');
    assert.deepEqual(m.types, c.reportBatchItemFailures ? ['ReportBatchItemFailures'] : []);
  }
}

function assertAcyclic(edges: Map<string, Set<string>>, what: string): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, path: string[]) => {
    if (state.get(n) === 'done') return;
    assert.notEqual(state.get(n), 'visiting', `${what}: dependency cycle ${[...path, n].join(' -> ')}`);
    state.set(n, 'visiting');
    for (const m of edges.get(n) ?? []) visit(m, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of edges.keys()) visit(n, []);
}

// ---------------------------------------------------------------------------------------------------
// A reader for the HCL the exporter writes: blocks, attributes, strings (escapes, $${, %%{, ${ref}),
// numbers, bools, null, lists, objects, references and function calls.

type Expr =
  | { k: 'lit'; v: string | number | boolean | null }
  | { k: 'tpl'; parts: Array<string | string[]> }
  | { k: 'ref'; path: string[] }
  | { k: 'list'; items: Expr[] }
  | { k: 'obj'; entries: Array<[string, Expr]> }
  | { k: 'call'; fn: string; args: Expr[] };
interface HclBlock {
  type: string;
  labels: string[];
  attrs: Map<string, Expr>;
  blocks: HclBlock[];
}

function parseHcl(src: string): HclBlock[] {
  let i = 0;
  const fail = (msg: string): never => assert.fail(`HCL ${msg} at ${JSON.stringify(src.slice(i, i + 40))}`);
  const ws = (newlines = true) => {
    for (;;) {
      if (src[i] === '#') while (i < src.length && src[i] !== '\n') i++;
      else if (src[i] === ' ' || src[i] === '\t' || (newlines && src[i] === '\n')) i++;
      else return;
    }
  };
  const expect = (s: string) => (src.startsWith(s, i) ? (i += s.length) : fail(`expected ${s}`));
  const ident = () => {
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
    if (!m) return fail('expected an identifier');
    i += m[0].length;
    return m[0];
  };
  const traversal = () => {
    const path = [ident()];
    while (src[i] === '.') {
      i++;
      path.push(ident());
    }
    return path;
  };
  const quoted = (): Array<string | string[]> => {
    expect('"');
    const parts: Array<string | string[]> = [];
    let lit = '';
    for (;;) {
      const c = src[i];
      if (c === undefined || c === '\n') return fail('unterminated string');
      if (c === '"') break;
      if (c === '\\') {
        const e = src[i + 1];
        const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
        if (e !== undefined && e in simple) (lit += simple[e]), (i += 2);
        else if (e === 'u') (lit += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16))), (i += 6);
        else fail('bad escape');
      } else if (src.startsWith('$${', i) || src.startsWith('%%{', i)) (lit += `${c}{`), (i += 3);
      else if (src.startsWith('${', i)) {
        i += 2;
        if (lit) parts.push(lit), (lit = '');
        parts.push(traversal());
        expect('}');
      } else if (src.startsWith('%{', i)) fail('template directive in a generated string');
      else (lit += c), i++;
    }
    i++;
    if (lit || parts.length === 0) parts.push(lit);
    return parts;
  };
  const expr = (): Expr => {
    ws(false);
    const c = src[i];
    if (c === '"') {
      const parts = quoted();
      return parts.length === 1 && typeof parts[0] === 'string' ? { k: 'lit', v: parts[0] } : { k: 'tpl', parts };
    }
    if (c === '[') {
      i++;
      const items: Expr[] = [];
      for (;;) {
        ws();
        if (src[i] === ']') break;
        items.push(expr());
        ws();
        if (src[i] === ',') i++;
      }
      i++;
      return { k: 'list', items };
    }
    if (c === '{') {
      i++;
      const entries: Array<[string, Expr]> = [];
      for (;;) {
        ws();
        if (src[i] === '}') break;
        const key = src[i] === '"' ? quoted() : [ident()];
        if (key.length !== 1 || typeof key[0] !== 'string') fail('object key must be a literal');
        ws(false);
        expect('=');
        entries.push([key[0] as string, expr()]);
        ws();
        if (src[i] === ',') i++;
      }
      i++;
      return { k: 'obj', entries };
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      i += num[0].length;
      return { k: 'lit', v: Number(num[0]) };
    }
    const path = traversal();
    if (path.length === 1 && ['true', 'false', 'null'].includes(path[0]!)) return { k: 'lit', v: path[0] === 'null' ? null : path[0] === 'true' };
    if (src[i] === '(') {
      i++;
      const args: Expr[] = [];
      for (;;) {
        ws();
        if (src[i] === ')') break;
        args.push(expr());
        ws();
        if (src[i] === ',') i++;
      }
      i++;
      return { k: 'call', fn: path.join('.'), args };
    }
    return { k: 'ref', path };
  };
  const body = (top: boolean): { attrs: Map<string, Expr>; blocks: HclBlock[] } => {
    const attrs = new Map<string, Expr>();
    const blocks: HclBlock[] = [];
    for (;;) {
      ws();
      if (top ? i >= src.length : src[i] === '}') break;
      const name = ident();
      ws(false);
      if (src[i] === '=') {
        i++;
        assert.ok(!attrs.has(name), `duplicate attribute ${name}`);
        attrs.set(name, expr());
        ws(false);
        if (src[i] !== '\n') fail('expected a newline after an attribute');
        continue;
      }
      const labels: string[] = [];
      while (src[i] === '"') {
        const l = quoted();
        labels.push(l[0] as string);
        ws(false);
      }
      expect('{');
      const inner = body(false);
      expect('}');
      blocks.push({ type: name, labels, ...inner });
    }
    return { attrs, blocks };
  };
  return body(true).blocks;
}

/** Evaluates an expression; `ref` resolves a traversal (and fails for undeclared ones). */
function evaluate(e: Expr, ref: (path: string[]) => unknown): unknown {
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'tpl':
      return e.parts.map((p) => (typeof p === 'string' ? p : String(ref(p)))).join('');
    case 'ref':
      return ref(e.path);
    case 'list':
      return e.items.map((x) => evaluate(x, ref));
    case 'obj':
      return Object.fromEntries(e.entries.map(([k, x]) => [k, evaluate(x, ref)]));
    case 'call':
      assert.equal(e.fn, 'jsonencode', 'only jsonencode is used');
      return JSON.stringify(evaluate(e.args[0]!, ref));
  }
}

function refsOf(e: Expr, out: string[][] = []): string[][] {
  if (e.k === 'ref') out.push(e.path);
  if (e.k === 'tpl') for (const p of e.parts) if (typeof p !== 'string') out.push(p);
  if (e.k === 'list') e.items.forEach((x) => refsOf(x, out));
  if (e.k === 'obj') e.entries.forEach(([, x]) => refsOf(x, out));
  if (e.k === 'call') e.args.forEach((x) => refsOf(x, out));
  return out;
}

/** Reads a Terraform export into the deployed model, checking references, identifiers and the graph on the way. */
function readTerraform(text: string): { deployed: Deployed; blocks: HclBlock[]; addresses: string[] } {
  const blocks = parseHcl(text);
  const tf = blocks.filter((b) => b.type === 'terraform');
  assert.equal(tf.length, 1);
  const aws = tf[0]!.blocks.find((b) => b.type === 'required_providers')?.attrs.get('aws');
  assert.deepEqual(aws && evaluate(aws, () => assert.fail('no refs')), { source: 'hashicorp/aws', version: '>= 5.0' });

  const declared = new Map<string, HclBlock>();
  for (const b of blocks.filter((x) => x.type === 'resource' || x.type === 'data')) {
    assert.equal(b.labels.length, 2);
    for (const l of b.labels) assert.match(l, /^[A-Za-z_][A-Za-z0-9_-]*$/, `valid identifier ${l}`);
    const address = `${b.type === 'data' ? 'data.' : ''}${b.labels[0]}.${b.labels[1]}`;
    assert.ok(!declared.has(address), `${address} declared once`);
    declared.set(address, b);
  }
  const literal = (b: HclBlock, attr: string) => {
    const e = b.attrs.get(attr);
    assert.ok(e && e.k === 'lit', `${attr} of ${b.labels.join('.')} is a literal`);
    return e.v as string;
  };
  const locals = blocks.filter((b) => b.type === 'locals').flatMap((b) => [...b.attrs]);
  const attrOf = (address: string, attr: string): string => {
    const b = declared.get(address);
    assert.ok(b, `reference to undeclared ${address}`);
    const [type] = b.labels;
    if (type === 'aws_sqs_queue' && attr === 'arn') return arnOf('sqs', literal(b, 'name'));
    if (type === 'aws_sqs_queue' && (attr === 'url' || attr === 'id')) return urlOf(literal(b, 'name'));
    if (type === 'aws_sns_topic' && attr === 'arn') return arnOf('sns', literal(b, 'name'));
    if (type === 'aws_lambda_function' && attr === 'arn') return arnOf('lambda', `function:${literal(b, 'function_name')}`);
    if (type === 'aws_lambda_function' && attr === 'function_name') return literal(b, 'function_name');
    if (type === 'aws_s3_bucket' && attr === 'arn') return `arn:aws:s3:::${literal(b, 'bucket')}`;
    if (type === 'aws_s3_bucket' && attr === 'id') return literal(b, 'bucket');
    if (type === 'aws_caller_identity' && attr === 'account_id') return ACCOUNT;
    return assert.fail(`unexpected reference ${address}.${attr}`);
  };
  const ref = (path: string[]): unknown => {
    if (path[0] === 'local') {
      const l = locals.find(([k]) => k === path[1]);
      assert.ok(l && path.length === 2, `reference to undeclared local ${path.join('.')}`);
      return evaluate(l[1], ref);
    }
    const [address, attr] = path[0] === 'data' ? [path.slice(0, 3).join('.'), path[3]] : [path.slice(0, 2).join('.'), path[2]];
    if (attr === undefined) {
      assert.ok(declared.has(address), `depends_on an undeclared ${address}`);
      return address;
    }
    assert.equal(path.length, path[0] === 'data' ? 4 : 3);
    return attrOf(address, attr);
  };
  const val = (b: HclBlock, attr: string) => {
    const e = b.attrs.get(attr);
    return e === undefined ? undefined : evaluate(e, ref);
  };

  // every reference anywhere (outputs too) resolves, and the resource graph has no cycle
  const edges = new Map<string, Set<string>>();
  for (const [address, b] of declared) {
    const deps = new Set<string>();
    for (const e of b.attrs.values()) for (const p of refsOf(e)) if (p[0] !== 'local') deps.add(p[0] === 'data' ? p.slice(0, 3).join('.') : p.slice(0, 2).join('.'));
    edges.set(address, deps);
  }
  for (const b of blocks) for (const e of b.attrs.values()) evaluate(e, ref);
  assertAcyclic(edges, 'terraform');

  const of = (type: string) => [...declared.values()].filter((b) => b.type === 'resource' && b.labels[0] === type);
  const tagsOf = (b: HclBlock) => val(b, 'tags') as Record<string, string>;
  const str = (v: unknown) => (v === undefined ? undefined : String(v));
  const topics = of('aws_sns_topic');
  assert.equal(topics.length, 1);
  const t = topics[0]!;
  const topicAttrs: Record<string, string> = {};
  if (val(t, 'fifo_topic') !== undefined) topicAttrs.FifoTopic = str(val(t, 'fifo_topic'))!;
  if (val(t, 'content_based_deduplication') !== undefined) topicAttrs.ContentBasedDeduplication = str(val(t, 'content_based_deduplication'))!;
  const deployed: Deployed = { topic: { name: literal(t, 'name'), attrs: topicAttrs, tags: tagsOf(t) }, queues: new Map(), subs: new Map(), esms: [] };

  const QUEUE_ARGS: Record<string, string> = {
    visibility_timeout_seconds: 'VisibilityTimeout',
    message_retention_seconds: 'MessageRetentionPeriod',
    delay_seconds: 'DelaySeconds',
    fifo_queue: 'FifoQueue',
    sqs_managed_sse_enabled: 'SqsManagedSseEnabled',
    redrive_policy: 'RedrivePolicy',
    redrive_allow_policy: 'RedriveAllowPolicy',
  };
  const byUrl = new Map<string, Record<string, string>>();
  for (const b of of('aws_sqs_queue')) {
    const attrs: Record<string, string> = {};
    for (const [arg, v] of b.attrs) {
      if (arg === 'name' || arg === 'tags') continue;
      assert.ok(arg in QUEUE_ARGS, `unexpected aws_sqs_queue argument ${arg}`);
      attrs[QUEUE_ARGS[arg]!] = String(evaluate(v, ref));
    }
    deployed.queues.set(literal(b, 'name'), { attrs, tags: tagsOf(b) });
    byUrl.set(urlOf(literal(b, 'name')), attrs);
  }
  for (const b of of('aws_sqs_queue_policy')) byUrl.get(val(b, 'queue_url') as string)!.Policy = val(b, 'policy') as string;
  for (const b of of('aws_sqs_queue_redrive_allow_policy')) byUrl.get(val(b, 'queue_url') as string)!.RedriveAllowPolicy = val(b, 'redrive_allow_policy') as string;
  for (const b of of('aws_sns_topic_subscription')) {
    const attrs: Record<string, string> = { RawMessageDelivery: String(val(b, 'raw_message_delivery')) };
    if (b.attrs.has('filter_policy')) attrs.FilterPolicy = val(b, 'filter_policy') as string;
    if (b.attrs.has('filter_policy_scope')) attrs.FilterPolicyScope = val(b, 'filter_policy_scope') as string;
    if (b.attrs.has('redrive_policy')) attrs.RedrivePolicy = val(b, 'redrive_policy') as string;
    const endpoint = val(b, 'endpoint') as string;
    assert.ok(!deployed.subs.has(endpoint), `one subscription for ${endpoint}`);
    deployed.subs.set(endpoint, { topicArn: val(b, 'topic_arn') as string, protocol: val(b, 'protocol') as string, attrs });
    // the queue policies (the queue's, its subscription DLQ's) exist before the subscription delivers
    const dependsOn = val(b, 'depends_on') as string[];
    const policyOf = (arn: string) => of('aws_sqs_queue_policy').find((p) => val(p, 'queue_url') === urlOf(arn.split(':').pop()!))!;
    const dlqArn = attrs.RedrivePolicy ? (JSON.parse(attrs.RedrivePolicy) as { deadLetterTargetArn: string }).deadLetterTargetArn : undefined;
    assert.deepEqual(dependsOn, [endpoint, ...(dlqArn ? [dlqArn] : [])].map((a) => `aws_sqs_queue_policy.${policyOf(a).labels[1]}`));
  }
  for (const b of of('aws_lambda_event_source_mapping')) {
    const fnArn = val(b, 'function_name') as string;
    deployed.esms.push({
      queueArn: val(b, 'event_source_arn') as string,
      fn: fnArn.split(':function:')[1]!,
      enabled: val(b, 'enabled') as boolean,
      batchSize: val(b, 'batch_size') as number,
      window: val(b, 'maximum_batching_window_in_seconds') as number | undefined,
      types: (val(b, 'function_response_types') as string[] | undefined) ?? [],
    });
  }
  return { deployed, blocks, addresses: [...declared.keys()] };
}

// ---------------------------------------------------------------------------------------------------
// CloudFormation reader: resolves Ref, Fn::GetAtt and Fn::Sub against declared resources and parameters.

// eslint-style strictness is not worth it for a walker over parsed JSON.
type Cfn = Record<string, any>;

function readCloudFormation(text: string): { deployed: Deployed; template: Cfn } {
  const template = JSON.parse(text) as Cfn;
  assert.equal(template.AWSTemplateFormatVersion, '2010-09-09');
  const resources = template.Resources as Record<string, Cfn>;
  const params = (template.Parameters ?? {}) as Record<string, Cfn>;
  for (const id of [...Object.keys(resources), ...Object.keys(params), ...Object.keys(template.Outputs)]) assert.match(id, /^[A-Za-z0-9]+$/, `logical id ${id}`);
  for (const id of Object.keys(params)) assert.ok(!(id in resources), `${id} is both a parameter and a resource`);

  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT };
  const nameOf = (id: string) => {
    const r = resources[id];
    assert.ok(r, `reference to undeclared resource ${id}`);
    return (r.Properties.QueueName ?? r.Properties.TopicName) as string;
  };
  const getAtt = (id: string, attr: string) => {
    assert.equal(attr, 'Arn');
    if (resources[id]?.Type === 'AWS::S3::Bucket') return `arn:aws:s3:::${resources[id]!.Properties.BucketName}`;
    return arnOf(resources[id]?.Type === 'AWS::SNS::Topic' ? 'sns' : 'sqs', nameOf(id));
  };
  const deps = new Map<string, Set<string>>();
  const resolve = (v: unknown, from: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => resolve(x, from));
    if (!v || typeof v !== 'object') return v;
    const o = v as Cfn;
    if ('Ref' in o) {
      if (o.Ref in pseudo) return pseudo[o.Ref];
      if (o.Ref in params) return params[o.Ref].Default;
      deps.get(from)!.add(o.Ref);
      const r = resources[o.Ref];
      assert.ok(r, `Ref to undeclared ${o.Ref}`);
      return r.Type === 'AWS::SQS::Queue' ? urlOf(nameOf(o.Ref)) : r.Type === 'AWS::SNS::Topic' ? arnOf('sns', nameOf(o.Ref)) : assert.fail(`Ref to ${r.Type}`);
    }
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      deps.get(from)!.add(id);
      return getAtt(id, attr);
    }
    if ('Fn::Sub' in o) {
      return (o['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in pseudo) return pseudo[name]!;
        if (name in params) return params[name].Default as string;
        const [id, attr] = name.split('.');
        deps.get(from)!.add(id!);
        return getAtt(id!, attr!);
      });
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x, from)]));
  };
  const props: Record<string, Cfn> = {};
  for (const [id, r] of Object.entries(resources)) {
    deps.set(id, new Set(r.DependsOn ? [r.DependsOn].flat() : []));
    for (const d of deps.get(id)!) assert.ok(d in resources, `DependsOn undeclared ${d}`);
    props[id] = resolve(r.Properties, id) as Cfn;
  }
  deps.set('(outputs)', new Set());
  const outputs = resolve(template.Outputs, '(outputs)') as Record<string, { Value: string }>;
  assertAcyclic(deps, 'cloudformation');

  const ofType = (t: string) => Object.keys(resources).filter((id) => resources[id]!.Type === t);
  const tags = (list: Array<{ Key: string; Value: string }>) => Object.fromEntries(list.map((x) => [x.Key, x.Value]));
  const [topicId, ...more] = ofType('AWS::SNS::Topic');
  assert.equal(more.length, 0);
  const tp = props[topicId!]!;
  const topicAttrs: Record<string, string> = {};
  if (tp.FifoTopic !== undefined) topicAttrs.FifoTopic = String(tp.FifoTopic);
  if (tp.ContentBasedDeduplication !== undefined) topicAttrs.ContentBasedDeduplication = String(tp.ContentBasedDeduplication);
  const deployed: Deployed = { topic: { name: tp.TopicName, attrs: topicAttrs, tags: tags(tp.Tags) }, queues: new Map(), subs: new Map(), esms: [] };

  const QUEUE_PROPS = ['VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds', 'FifoQueue', 'SqsManagedSseEnabled', 'RedrivePolicy', 'RedriveAllowPolicy'];
  const byUrl = new Map<string, Record<string, string>>();
  for (const id of ofType('AWS::SQS::Queue')) {
    const p = props[id]!;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(p)) {
      if (k === 'QueueName' || k === 'Tags') continue;
      assert.ok(QUEUE_PROPS.includes(k), `unexpected queue property ${k}`);
      attrs[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    deployed.queues.set(p.QueueName, { attrs, tags: tags(p.Tags) });
    byUrl.set(urlOf(p.QueueName), attrs);
  }
  for (const id of ofType('AWS::SQS::QueuePolicy')) {
    const [url, ...others] = props[id]!.Queues as string[];
    assert.equal(others.length, 0, 'one queue per policy');
    byUrl.get(url!)!.Policy = JSON.stringify(props[id]!.PolicyDocument);
  }
  for (const id of ofType('AWS::SNS::Subscription')) {
    const p = props[id]!;
    const attrs: Record<string, string> = { RawMessageDelivery: String(p.RawMessageDelivery) };
    if (p.FilterPolicy !== undefined) {
      assert.equal(typeof p.FilterPolicy, 'object', 'FilterPolicy is an object');
      attrs.FilterPolicy = JSON.stringify(p.FilterPolicy);
    }
    if (p.FilterPolicyScope !== undefined) attrs.FilterPolicyScope = p.FilterPolicyScope;
    if (p.RedrivePolicy !== undefined) {
      assert.equal(typeof p.RedrivePolicy, 'object', 'RedrivePolicy is an object');
      attrs.RedrivePolicy = JSON.stringify(p.RedrivePolicy);
    }
    deployed.subs.set(p.Endpoint, { topicArn: p.TopicArn, protocol: p.Protocol, attrs });
    const policyOf = (arn: string) => ofType('AWS::SQS::QueuePolicy').find((q) => props[q]!.Queues[0] === urlOf(arn.split(':').pop()!));
    const dlqArn = p.RedrivePolicy?.deadLetterTargetArn as string | undefined;
    assert.deepEqual([resources[id]!.DependsOn].flat(), [p.Endpoint, ...(dlqArn ? [dlqArn] : [])].map(policyOf), 'the subscription waits for its queue policies');
  }
  for (const id of ofType('AWS::Lambda::EventSourceMapping')) {
    const p = props[id]!;
    deployed.esms.push({ queueArn: p.EventSourceArn, fn: p.FunctionName, enabled: p.Enabled, batchSize: p.BatchSize, window: p.MaximumBatchingWindowInSeconds, types: p.FunctionResponseTypes ?? [] });
  }
  const s3Types = ['AWS::S3::Bucket', 'AWS::SNS::TopicPolicy', 'AWS::Lambda::Permission'].flatMap(ofType).length;
  assert.equal(Object.keys(resources).length, s3Types + 1 + ofType('AWS::SQS::Queue').length + ofType('AWS::SQS::QueuePolicy').length + ofType('AWS::SNS::Subscription').length + ofType('AWS::Lambda::EventSourceMapping').length, 'no other resources');
  return { deployed, template: { ...template, resolvedOutputs: outputs } };
}

// ---------------------------------------------------------------------------------------------------

for (const [label, spec] of [
  ['a standard flow with filters', standard],
  ['a FIFO flow with consumers', fifo],
] as const) {
  test(`terraform: ${label} declares exactly what apply creates`, () => {
    const text = exportTerraform(spec);
    const { deployed, blocks } = readTerraform(text);
    assertMatchesApply(spec, deployed);
    // outputs
    const out = (n: string) => blocks.find((b) => b.type === 'output' && b.labels[0] === n);
    const ref = (e: Expr | undefined) => refsOf(e!).map((p) => p.join('.'));
    assert.deepEqual(ref(out('topic_arn')!.attrs.get('value')), ['aws_sns_topic.topic.arn']);
    const queueUrls = out('queue_urls')!.attrs.get('value')!;
    assert.ok(queueUrls.k === 'obj');
    assert.deepEqual(queueUrls.entries.map(([k]) => k), spec.queues.map((q) => q.name));
    assert.ok(ref(queueUrls).every((r) => /^aws_sqs_queue\.[\w-]+\.url$/.test(r)));
    const dlqs = spec.queues.filter((q) => q.dlq).map((q) => q.dlq!.name);
    const dlqUrls = out('dlq_urls')?.attrs.get('value');
    assert.deepEqual(dlqUrls?.k === 'obj' ? dlqUrls.entries.map(([k]) => k) : [], dlqs);
    // no hard-coded ARNs: every ARN in the file comes from a reference
    assert.doesNotMatch(text, /arn:aws/);
    // functions are read by name, one data source each
    const fns = [...new Set(spec.queues.flatMap((q) => (q.consumer ? [q.consumer.function] : [])))];
    const data = blocks.filter((b) => b.type === 'data');
    assert.deepEqual(data.map((b) => b.labels[0]), fns.map(() => 'aws_lambda_function'));
    assert.deepEqual(data.map((b) => evaluate(b.attrs.get('function_name')!, () => assert.fail())), fns);
  });

  test(`cloudformation: ${label} declares exactly what apply creates`, () => {
    const text = exportCloudFormation(spec);
    const { deployed, template } = readCloudFormation(text);
    assertMatchesApply(spec, deployed);
    const outputs = template.resolvedOutputs as Record<string, { Value: string }>;
    assert.equal(outputs.TopicArn?.Value, arnOf('sns', spec.topic.name));
    const values = Object.values(outputs).map((o) => o.Value);
    for (const q of spec.queues) {
      assert.ok(values.includes(urlOf(q.name)), `an output for ${q.name}`);
      if (q.dlq) assert.ok(values.includes(urlOf(q.dlq.name)), `an output for ${q.dlq.name}`);
    }
    // ARNs only through intrinsic functions
    assert.doesNotMatch(text, /arn:aws:/);
    // functions are parameters defaulting to the spec's names
    const fns = [...new Set(spec.queues.flatMap((q) => (q.consumer ? [q.consumer.function] : [])))];
    assert.deepEqual(Object.values(template.Parameters ?? {}).map((p) => (p as Cfn).Default), fns);
    for (const p of Object.values(template.Parameters ?? {})) assert.equal((p as Cfn).Type, 'String');
  });
}

test('the FIFO export sets FIFO on the topic and on every queue, DLQ and subscription DLQ', () => {
  const tf = exportTerraform(fifo);
  assert.match(tf, /resource "aws_sns_topic" "topic" \{\n {2}name +\= "payments\.fifo"\n {2}fifo_topic +\= true\n {2}content_based_deduplication = true\n/);
  assert.equal(tf.match(/fifo_queue += true/g)?.length, 7);
  assert.match(tf, /resource "aws_sqs_queue" "ledger_sub_dlq" \{\n {2}name +\= "payments-ledger-sub-dlq\.fifo"\n {2}fifo_queue +\= true\n/);
  const cfn = JSON.parse(exportCloudFormation(fifo)) as Cfn;
  const queues = Object.values(cfn.Resources as Record<string, Cfn>).filter((r) => r.Type === 'AWS::SQS::Queue');
  assert.equal(queues.length, 7);
  for (const q of queues) assert.equal(q.Properties.FifoQueue, true);
});

test('terraform strings are escaped: quotes, backslashes, newlines, ${ and %{ never interpolate', () => {
  const tf = exportTerraform(standard);
  assert.ok(/\n {4}team +\= (.*)\n/.exec(tf)?.[1] === '"billing \\"core\\" \\\\ $${var.x} %%{if} $$${y}"', 'escaped tag value');
  assert.match(tf, /\n {4}env +\= "prod\\nline2"\n/);
  assert.ok(tf.includes('prefix = "$${ship"'));
  assert.ok(tf.includes('"50%%{off}"'));
  // every interpolation left in the file is a reference to a declared resource
  for (const m of tf.matchAll(/(?<!\$)\$\{([^}]*)\}/g)) assert.match(m[1]!, /^aws_sqs_queue\.[\w-]+\.arn$/, m[0]);
  assert.doesNotMatch(tf.replace(/%%\{/g, ''), /%\{/);
});

test('names are derived safely from awkward queue ids and never collide', () => {
  const spec = validateSpec({
    name: 'w',
    topic: { name: 'w' },
    queues: [
      { id: 'a-b', name: 'q1' },
      { id: 'a_b', name: 'q2' },
      { id: '1x', name: 'q3', dlq: false },
      { id: 'a_b_dlq', name: 'q4' },
      { id: 'élan vital!', name: 'q5' },
      { id: 'policy-a', name: 'q6' },
      { id: 'a', name: 'q7' },
      { name: 'q8', consumer: { function: '9lives' } },
    ],
  });
  const { addresses, deployed } = readTerraform(exportTerraform(spec));
  assert.equal(new Set(addresses).size, addresses.length);
  assertMatchesApply(spec, deployed);
  const cfn = readCloudFormation(exportCloudFormation(spec));
  assertMatchesApply(spec, cfn.deployed);
  assert.equal(hclIdentifier('1x', 'queue'), '_1x');
  assert.equal(hclIdentifier('a.b c', 'queue'), 'a_b_c');
  assert.equal(hclIdentifier('éé', 'queue'), 'queue');
  assert.equal(logicalId('billing-v2', 'Flow'), 'BillingV2');
  assert.equal(logicalId('--', 'Flow'), 'Flow');
});

test('output is deterministic and independent of tag order', () => {
  const reordered = { ...standard, tags: Object.fromEntries(Object.entries(standard.tags).reverse()) };
  assert.equal(exportTerraform(standard), exportTerraform(reordered));
  assert.equal(exportCloudFormation(standard), exportCloudFormation(reordered));
  assert.equal(exportTerraform(fifo), exportTerraform(structuredClone(fifo)));
});

test('hcl: escaping and layout', () => {
  assert.equal(escapeHcl('a"b\\c\n\r\t'), 'a\\"b\\\\c\\n\\r\\t');
  assert.equal(escapeHcl('${x} %{y} $${z} $ % {}'), '$${x} %%{y} $$${z} $ % {}');
  assert.equal(escapeHcl('\u0001\u007f é'), '\\u0001\\u007f é');
  assert.equal(
    renderValue({ a: 1, long_key: 'x', 'aws:Key': null, nested: { for: [true, -2.5] }, list: [{ x: new Ref('aws_sqs_queue.q.arn') }], t: new Tpl([new Ref('r.x'), '/${lit}']) }),
    [
      '{',
      '  a         = 1',
      '  long_key  = "x"',
      '  "aws:Key" = null',
      '  nested = {',
      '    "for" = [true, -2.5]',
      '  }',
      '  list = [',
      '    {',
      '      x = aws_sqs_queue.q.arn',
      '    },',
      '  ]',
      '  t = "${r.x}/$${lit}"',
      '}',
    ].join('\n'),
  );
  assert.equal(renderValue(new Call('jsonencode', [fromJson({ k: ['v'] })])), 'jsonencode({\n  k = ["v"]\n})');
  assert.equal(renderValue([]), '[]');
  assert.equal(renderValue({}), '{}');
  assert.throws(() => renderValue(Number.NaN));
});

// ---------------------------------------------------------------------------------------------------
// HTTP APIs: the API, its $default stage, integrations, authorizers, routes and Lambda permissions.

const withApi: FlowSpec = validateSpec({
  name: 'users',
  topic: { name: 'new-user-added-topic' },
  queues: [{ id: 'posts', name: 'users-posts', consumer: { function: 'users-create' } }],
  apis: [
    {
      name: 'users-api',
      cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['GET', 'POST'], allowHeaders: ['authorization'], maxAge: 300, allowCredentials: true },
      authorizers: [{ name: 'roles', function: 'users-auth', ttlSeconds: 60 }],
      routes: [
        { route: 'POST /users', function: 'users-create', authorizer: 'roles' },
        { route: 'GET /users/{userId}', function: 'users-get', timeoutMs: 5000 },
        { route: 'PUT /users/{userId}', function: 'users-get', timeoutMs: 9000 },
        { route: '$default', function: 'users-get', timeoutMs: 5000 },
      ],
    },
  ],
});

test('terraform: an HTTP API exports as what apply creates (API, stage, integrations, authorizer, routes, permissions)', () => {
  const tf = exportTerraform(withApi);
  const blocks = [...tf.matchAll(/^(resource|data) "([\w]+)" "([\w-]+)" \{\n([\s\S]*?)^\}/gm)].map((m) => ({ kind: m[1]!, type: m[2]!, name: m[3]!, body: m[4]! }));
  const of = (type: string) => blocks.filter((b) => b.type === type);
  const declared = new Set(blocks.map((b) => (b.kind === 'data' ? `data.${b.type}.${b.name}` : `${b.type}.${b.name}`)));
  // every reference names a declared resource or data source (or the locals)
  for (const m of tf.matchAll(/\b((?:data\.)?aws_[\w]+\.[\w-]+)\.(\w+)/g)) assert.ok(declared.has(m[1]!), `reference to undeclared ${m[1]}`);
  // functions are read by name once each, consumers and API functions alike
  assert.deepEqual(of('aws_lambda_function').map((b) => /function_name = "(.*)"/.exec(b.body)![1]), ['users-create', 'users-get', 'users-auth']);
  const [api] = of('aws_apigatewayv2_api');
  assert.match(api!.body, /name +\= "users-api"\n {2}protocol_type = "HTTP"\n {2}tags +\= local\.tags/);
  assert.match(api!.body, /cors_configuration \{\n {4}allow_origins +\= \["https:\/\/app\.example\.com"\]\n {4}allow_methods +\= \["GET", "POST"\]\n {4}allow_headers +\= \["authorization"\]\n {4}expose_headers +\= \[\]\n {4}max_age +\= 300\n {4}allow_credentials = true\n/);
  const [stage] = of('aws_apigatewayv2_stage');
  assert.match(stage!.body, /name +\= "\$default"\n {2}auto_deploy = true/);
  // one integration per function and timeout, payload 2.0, AWS_PROXY to the function's ARN
  const integrations = of('aws_apigatewayv2_integration').map((b) => [/integration_uri += (.*)/.exec(b.body)![1], /timeout_milliseconds += (\d+)/.exec(b.body)![1], /payload_format_version += "(.*)"/.exec(b.body)![1], /integration_type += "(.*)"/.exec(b.body)![1]]);
  assert.deepEqual(integrations, [
    ['data.aws_lambda_function.users_create.arn', '30000', '2.0', 'AWS_PROXY'],
    ['data.aws_lambda_function.users_get.arn', '5000', '2.0', 'AWS_PROXY'],
    ['data.aws_lambda_function.users_get.arn', '9000', '2.0', 'AWS_PROXY'],
  ]);
  const [auth] = of('aws_apigatewayv2_authorizer');
  assert.match(auth!.body, /authorizer_type += "REQUEST"\n {2}authorizer_uri += data\.aws_lambda_function\.users_auth\.invoke_arn\n {2}authorizer_payload_format_version = "2\.0"\n {2}enable_simple_responses += true\n {2}identity_sources += \["\$request\.header\.Authorization"\]\n {2}authorizer_result_ttl_in_seconds += 60/);
  const routes = of('aws_apigatewayv2_route').map((b) => [/route_key += "(.*)"/.exec(b.body)![1], /target += "integrations\/\$\{aws_apigatewayv2_integration\.([\w-]+)\.id\}"/.exec(b.body)![1], /authorization_type += "(.*)"/.exec(b.body)![1], /authorizer_id += (.*)/.exec(b.body)?.[1]]);
  assert.deepEqual(routes, [
    ['POST /users', 'users_api_users_create', 'CUSTOM', 'aws_apigatewayv2_authorizer.users_api_roles.id'],
    ['GET /users/{userId}', 'users_api_users_get_5000ms', 'NONE', undefined],
    ['PUT /users/{userId}', 'users_api_users_get_9000ms', 'NONE', undefined],
    ['$default', 'users_api_users_get_5000ms', 'NONE', undefined],
  ]);
  // one permission per function the API invokes, scoped to this API, named as apply names it
  const perms = of('aws_lambda_permission').map((b) => [/function_name += (.*)/.exec(b.body)![1], /principal += "(.*)"/.exec(b.body)![1], /source_arn += "(.*)"/.exec(b.body)![1], /statement_id += "(.*)"/.exec(b.body)![1]]);
  assert.deepEqual(perms, ['users_create', 'users_get', 'users_auth'].map((f) => [`data.aws_lambda_function.${f}.function_name`, 'apigateway.amazonaws.com', '${aws_apigatewayv2_api.users_api.execution_arn}/*/*', 'svl-${aws_apigatewayv2_api.users_api.id}']));
  assert.match(tf, /output "api_endpoints" \{\n[\s\S]*"users-api" = aws_apigatewayv2_api\.users_api\.api_endpoint/);
  assert.doesNotMatch(tf, /arn:aws/);
  // a spec without APIs exports no API resources
  assert.doesNotMatch(exportTerraform(standard), /apigatewayv2|aws_lambda_permission/);
});

test('cloudformation: an HTTP API exports as what apply creates, every reference declared', () => {
  const cfn = JSON.parse(exportCloudFormation(withApi)) as Cfn;
  const resources = cfn.Resources as Record<string, Cfn>;
  const params = cfn.Parameters as Record<string, Cfn>;
  const declared = (id: string) => id in resources || id in params || id.startsWith('AWS::');
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const o = v as Cfn;
    if ('Ref' in o) assert.ok(declared(o.Ref), `Ref to undeclared ${o.Ref}`);
    if ('Fn::GetAtt' in o) assert.ok(declared(o['Fn::GetAtt'][0]), `GetAtt of undeclared ${o['Fn::GetAtt'][0]}`);
    if ('Fn::Sub' in o) for (const m of String(o['Fn::Sub']).matchAll(/\$\{([^}.]+)/g)) assert.ok(declared(m[1]!), `Sub of undeclared ${m[1]}`);
    Object.values(o).forEach(walk);
  };
  walk(resources);
  walk(cfn.Outputs);
  const ofType = (t: string) => Object.values(resources).filter((r) => r.Type === t).map((r) => r.Properties);
  assert.deepEqual(Object.values(params).map((p) => p.Default), ['users-create', 'users-get', 'users-auth']);
  const [api] = ofType('AWS::ApiGatewayV2::Api');
  assert.deepEqual(api, {
    Name: 'users-api',
    ProtocolType: 'HTTP',
    CorsConfiguration: { AllowOrigins: ['https://app.example.com'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['authorization'], ExposeHeaders: [], MaxAge: 300, AllowCredentials: true },
    Tags: flowTags(withApi),
  });
  assert.deepEqual(ofType('AWS::ApiGatewayV2::Stage').map((s) => [s.StageName, s.AutoDeploy]), [['$default', true]]);
  assert.deepEqual(ofType('AWS::ApiGatewayV2::Integration').map((i) => [i.IntegrationType, i.PayloadFormatVersion, i.TimeoutInMillis, i.IntegrationUri['Fn::Sub']]), [
    ['AWS_PROXY', '2.0', 30000, 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${UsersCreateFunctionName}'],
    ['AWS_PROXY', '2.0', 5000, 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${UsersGetFunctionName}'],
    ['AWS_PROXY', '2.0', 9000, 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${UsersGetFunctionName}'],
  ]);
  const [auth] = ofType('AWS::ApiGatewayV2::Authorizer');
  assert.equal(auth!.AuthorizerType, 'REQUEST');
  assert.equal(auth!.AuthorizerPayloadFormatVersion, '2.0');
  assert.equal(auth!.EnableSimpleResponses, true);
  assert.deepEqual(auth!.IdentitySource, ['$request.header.Authorization']);
  assert.equal(auth!.AuthorizerResultTtlInSeconds, 60);
  assert.match(auth!.AuthorizerUri['Fn::Sub'], /^arn:\$\{AWS::Partition\}:apigateway:\$\{AWS::Region\}:lambda:path\/2015-03-31\/functions\/arn:.*:function:\$\{UsersAuthFunctionName\}\/invocations$/);
  assert.deepEqual(ofType('AWS::ApiGatewayV2::Route').map((r) => [r.RouteKey, r.AuthorizationType, !!r.AuthorizerId, r.Target['Fn::Sub']]), [
    ['POST /users', 'CUSTOM', true, 'integrations/${UsersApiUsersCreateIntegration}'],
    ['GET /users/{userId}', 'NONE', false, 'integrations/${UsersApiUsersGetIntegration}'],
    ['PUT /users/{userId}', 'NONE', false, 'integrations/${UsersApiUsersGetIntegration2}'],
    ['$default', 'NONE', false, 'integrations/${UsersApiUsersGetIntegration}'],
  ]);
  assert.deepEqual(ofType('AWS::Lambda::Permission').map((p) => [p.FunctionName.Ref, p.Principal, p.Action, p.SourceArn['Fn::Sub']]), ['UsersCreate', 'UsersGet', 'UsersAuth'].map((f) => [
    `${f}FunctionName`, 'apigateway.amazonaws.com', 'lambda:InvokeFunction', 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${UsersApiApi}/*/*',
  ]));
  assert.deepEqual(cfn.Outputs.UsersApiEndpoint.Value, { 'Fn::GetAtt': ['UsersApiApi', 'ApiEndpoint'] });
});

// Buckets: the bucket, its notifications after the policies and permissions they need.

/** A flow whose queue gets both the topic and a bucket, a bucket publishing to the topic, and a Lambda destination. */
const uploads: FlowSpec = validateSpec({
  name: 'uploads',
  topic: { name: 'uploads-events' },
  queues: [{ id: 'work', name: 'uploads-work', consumer: { function: 'upload-worker' } }, { id: 'audit', name: 'uploads-audit' }],
  buckets: [
    {
      name: 'uploads-in.example',
      notifications: [
        { events: ['s3:ObjectCreated:*'], prefix: 'in/', queue: 'work' },
        { events: ['s3:ObjectRemoved:*'], topic: 'uploads-events' },
        { id: 'thumbs', events: ['s3:ObjectCreated:Put', 's3:ObjectCreated:Post'], prefix: 'img/', suffix: '.jpg', function: 'thumbnailer' },
      ],
    },
    { name: 'uploads-archive', notifications: [{ events: ['s3:ObjectCreated:*'], queue: 'uploads-audit' }] },
  ],
});

test('terraform: buckets, their notifications (depends_on the queue policy, topic policy and lambda permission) and the queue policy with both statements', () => {
  const text = exportTerraform(uploads);
  const { deployed, blocks } = readTerraform(text);
  assertMatchesApply(uploads, deployed); // queue policies include the bucket statements, scoped to bucket ARN and account
  assert.doesNotMatch(text, /arn:aws/);
  const res = (type: string) => blocks.filter((b) => b.type === 'resource' && b.labels[0] === type);
  const lit = (b: HclBlock, a: string) => evaluate(b.attrs.get(a)!, (p) => p.join('.'));
  assert.deepEqual(res('aws_s3_bucket').map((b) => [b.labels[1], lit(b, 'bucket'), lit(b, 'tags')]), [
    ['uploads_in_example', 'uploads-in.example', 'local.tags'],
    ['uploads_archive', 'uploads-archive', 'local.tags'],
  ]);
  const [n1, n2] = res('aws_s3_bucket_notification');
  assert.deepEqual(lit(n1!, 'depends_on'), ['aws_lambda_permission.uploads_in_example_thumbnailer', 'aws_sqs_queue_policy.work', 'aws_sns_topic_policy.s3']);
  assert.deepEqual(lit(n2!, 'depends_on'), ['aws_sqs_queue_policy.audit']);
  assert.equal(lit(n1!, 'bucket'), 'aws_s3_bucket.uploads_in_example.id');
  assert.deepEqual(
    n1!.blocks.map((b) => [b.type, Object.fromEntries([...b.attrs].map(([k, e]) => [k, evaluate(e, (p) => p.join('.'))]))]),
    [
      ['queue', { id: 'uploads-in.example-queue-uploads-work', queue_arn: 'aws_sqs_queue.work.arn', events: ['s3:ObjectCreated:*'], filter_prefix: 'in/' }],
      ['topic', { id: 'uploads-in.example-topic-uploads-events', topic_arn: 'aws_sns_topic.topic.arn', events: ['s3:ObjectRemoved:*'] }],
      ['lambda_function', { id: 'thumbs', lambda_function_arn: 'data.aws_lambda_function.thumbnailer.arn', events: ['s3:ObjectCreated:Put', 's3:ObjectCreated:Post'], filter_prefix: 'img/', filter_suffix: '.jpg' }],
    ],
  );
  const [perm] = res('aws_lambda_permission');
  assert.deepEqual(Object.fromEntries([...perm!.attrs].map(([k, e]) => [k, evaluate(e, (p) => p.join('.'))])), {
    statement_id: 'svl-s3-uploads-in.example',
    action: 'lambda:InvokeFunction',
    function_name: 'data.aws_lambda_function.thumbnailer.function_name',
    principal: 's3.amazonaws.com',
    source_arn: 'aws_s3_bucket.uploads_in_example.arn',
    source_account: 'data.aws_caller_identity.current.account_id',
  });
  const topicPolicy = JSON.parse(String(evaluate(res('aws_sns_topic_policy')[0]!.attrs.get('policy')!, (p) => (p.join('.') === 'aws_sns_topic.topic.arn' ? arnOf('sns', 'uploads-events') : p.join('.') === 'aws_s3_bucket.uploads_in_example.arn' ? 'arn:aws:s3:::uploads-in.example' : ACCOUNT))));
  assert.deepEqual(topicPolicy.Statement[1].Condition, { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::uploads-in.example' }, StringEquals: { 'aws:SourceAccount': ACCOUNT } });
  // the destination function is a data source like a consumer's
  assert.deepEqual(blocks.filter((b) => b.type === 'data').map((b) => b.labels.join('.')), ['aws_lambda_function.upload_worker', 'aws_lambda_function.thumbnailer', 'aws_caller_identity.current']);
});

test('cloudformation: buckets with NotificationConfiguration, DependsOn the policies and the permission, no cycle', () => {
  const text = exportCloudFormation(uploads);
  const { deployed, template } = readCloudFormation(text); // resolves every reference and checks acyclicity
  assertMatchesApply(uploads, deployed);
  assert.doesNotMatch(text, /arn:aws:/);
  const r = template.Resources as Record<string, Cfn>;
  assert.deepEqual(r.UploadsInExampleBucket.DependsOn, ['WorkQueuePolicy', 'TopicPolicy', 'UploadsInExampleBucketThumbnailerPermission']);
  assert.deepEqual(r.UploadsArchiveBucket.DependsOn, ['AuditQueuePolicy']);
  const cfg = r.UploadsInExampleBucket.Properties.NotificationConfiguration;
  assert.deepEqual(cfg.QueueConfigurations, [{ Event: 's3:ObjectCreated:*', Queue: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] }, Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'in/' }] } } }]);
  assert.deepEqual(cfg.TopicConfigurations, [{ Event: 's3:ObjectRemoved:*', Topic: { Ref: 'Topic' } }]);
  assert.deepEqual(cfg.LambdaConfigurations.map((c: Cfn) => c.Event), ['s3:ObjectCreated:Put', 's3:ObjectCreated:Post']);
  assert.deepEqual(r.UploadsInExampleBucket.Properties.Tags, [{ Key: 'svl:flow', Value: 'uploads' }]);
  assert.deepEqual(r.UploadsInExampleBucketThumbnailerPermission.Properties, {
    Action: 'lambda:InvokeFunction',
    FunctionName: { Ref: 'ThumbnailerFunctionName' },
    Principal: 's3.amazonaws.com',
    SourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::uploads-in.example' },
    SourceAccount: { Ref: 'AWS::AccountId' },
  });
  assert.equal(template.Parameters.ThumbnailerFunctionName.Default, 'thumbnailer');
  assert.equal(r.TopicPolicy.Type, 'AWS::SNS::TopicPolicy');
  assert.equal((template.resolvedOutputs as Record<string, { Value: string }>).UploadsArchiveBucketArn!.Value, 'arn:aws:s3:::uploads-archive');
});
