/**
 * Doctor checks of Lambda functions in a flow: event source mappings without partial batch responses,
 * asynchronous invocations (SNS, S3) without an on-failure destination or DLQ - or with one that does not
 * exist, a function policy that keeps a topic, bucket or API out, an API whose integration gives up before
 * the function does, and from the emulator's journal: an error-looking result returned to an SQS event
 * source, a handler failing on `s3:TestEvent`. Pure.
 *
 * Not checked (reported as such): whether the function's role may send to its failure destination - that
 * needs the role's IAM policies, which svl does not read.
 */
import { explainPolicy } from '../../domain/resource-policy.js';
import { undecidable } from './queues.js';
import { UNKNOWN_ACCOUNT, arnParts, freeSid, sinceLastChange, policySids, sh, shortHash, type CheckResult, type DoctorFunction, type DoctorModel, type Finding, type NotChecked, type ResourceRef } from './model.js';

const fnRef = (f: Pick<DoctorFunction, 'name' | 'arn'>): ResourceRef => ({ kind: 'function', name: f.name, arn: f.arn });
const API_MAX_TIMEOUT_MS = 30_000;

/** The functions SNS or S3 invoke asynchronously in this flow, with who invokes them. */
function asyncInvokers(m: DoctorModel): Map<string, ResourceRef[]> {
  const out = new Map<string, ResourceRef[]>();
  const add = (fnArn: string, r: ResourceRef) => {
    const name = fnArn.split(':')[6] ?? fnArn;
    out.set(name, [...(out.get(name) ?? []), r]);
  };
  for (const s of m.inventory.subscriptions) if (s.protocol === 'lambda') add(s.endpoint, { kind: 'topic', name: s.topicArn.split(':').pop()!, arn: s.topicArn });
  for (const b of m.inventory.buckets ?? []) for (const n of b.notifications) if (n.kind === 'function') add(n.arn, { kind: 'bucket', name: b.name, arn: b.arn });
  return out;
}

export function checkLambda(m: DoctorModel): CheckResult {
  const findings: Finding[] = [];
  const notChecked: NotChecked[] = [];
  const unread = (check: string, f: DoctorFunction, part: keyof DoctorFunction['unreadable']) => {
    const reason = f.unreadable[part];
    if (reason) notChecked.push({ check, flow: m.flow, resources: [fnRef(f)], reason });
    return reason !== undefined;
  };

  for (const c of m.inventory.consumers) {
    if ((c.batchSize ?? 10) > 1 && !(c.functionResponseTypes ?? []).includes('ReportBatchItemFailures')) {
      findings.push({
        id: 'batch-without-partial-failures',
        severity: 'warning',
        flow: m.flow,
        title: `${c.functionName} reads ${c.eventSourceArn.split(':').pop()} in batches of ${c.batchSize ?? 10} without ReportBatchItemFailures`,
        resources: [{ kind: 'event-source-mapping', name: c.uuid }, { kind: 'function', name: c.functionName, arn: c.functionArn }],
        why: 'One bad message fails the whole batch, so the good ones are processed again and again - and dead-lettered with it.',
        // Not applied by --fix: with the flag on, a handler that does not return a batch response fails
        // the whole batch on AWS, so the code must change first.
        fix: {
          summary: `change ${c.functionName} to return { batchItemFailures: [{ itemIdentifier: <messageId> }, ...] } listing only the messages it failed on (an empty list when all succeeded), deploy it, then turn on ReportBatchItemFailures for mapping ${c.uuid}`,
          command: `aws lambda update-event-source-mapping --uuid ${c.uuid} --function-response-types ReportBatchItemFailures`,
        },
      });
    }
  }

  for (const [name, invokers] of asyncInvokers(m)) {
    const f = m.functions.get(name);
    if (!f) continue;
    permissionFindings(m, f, invokers, findings, notChecked);
    if (unread('async-without-failure-destination', f, 'configuration') || unread('async-without-failure-destination', f, 'event-invoke-config')) continue;
    const targets = [f.onFailure, f.deadLetterTarget].filter((t): t is string => !!t);
    if (targets.length === 0) {
      findings.push({
        id: 'async-without-failure-destination',
        severity: 'warning',
        flow: m.flow,
        title: `${f.name} is invoked asynchronously by ${invokers.map((i) => `${i.kind} ${i.name}`).join(', ')} with no on-failure destination or DLQ`,
        resources: [fnRef(f), ...invokers],
        why: 'An event that still fails after Lambda retries it twice is discarded, with only a log line to show it ever existed.',
        fix: {
          summary: `give ${f.name} an on-failure destination (an SQS queue or SNS topic)`,
          command: `aws lambda put-function-event-invoke-config --function-name ${f.name} --destination-config ${sh(JSON.stringify({ OnFailure: { Destination: `arn:aws:sqs:${m.target.region}:${m.target.account}:${f.name}-failures` } }))}`,
        },
      });
      continue;
    }
    for (const t of targets) {
      const p = arnParts(t);
      const known = p.service === 'sqs' ? m.known.queues : p.service === 'sns' ? m.known.topics : undefined;
      const local = p.region === arnParts(f.arn).region && p.account === arnParts(f.arn).account;
      if (known && local && !known.has(t)) {
        findings.push({
          id: 'async-failure-target-missing',
          severity: 'error',
          flow: m.flow,
          title: `${f.name}'s ${t === f.onFailure ? 'on-failure destination' : 'dead-letter queue'} ${t.split(':').pop()} does not exist`,
          resources: [fnRef(f)],
          why: 'Events that fail every retry are sent to a target that is gone, so they are lost.',
          fix: { summary: `create ${t.split(':').pop()} again, or point ${f.name} at an existing ${p.service === 'sqs' ? 'queue' : 'topic'}`, command: p.service === 'sqs' ? `aws sqs create-queue --queue-name ${t.split(':').pop()}` : `aws sns create-topic --name ${t.split(':').pop()}` },
        });
      } else {
        notChecked.push({
          check: 'async-failure-target-not-allowed',
          flow: m.flow,
          resources: [fnRef(f)],
          reason: m.target.kind === 'local'
            ? 'the emulator does not enforce execution roles'
            : `whether role ${f.role ?? '(unknown)'} may send to ${t.split(':').pop()} needs its IAM policies, which svl does not read`,
        });
      }
    }
  }

  for (const api of m.apis) {
    for (const r of api.routes) {
      const f = r.function ? m.functions.get(r.function) : undefined;
      if (!f) continue;
      const [method = '*', path = ''] = r.route === '$default' ? ['*', '$default'] : r.route.split(' ');
      if (m.target.account === UNKNOWN_ACCOUNT) {
        // The API's source ARN needs the account: without it, the policy cannot be judged nor a grant written.
        notChecked.push({ check: 'lambda-permission-blocks-api', flow: m.flow, resources: [fnRef(f), { kind: 'api', name: api.name }], reason: 'the AWS account could not be identified' });
      } else {
        const sourceArn = `arn:aws:execute-api:${m.target.region}:${m.target.account}:${api.id}/$default/${method === 'ANY' ? '*' : method}${path.startsWith('/') ? path : `/${path}`}`;
        permissionFinding(m, f, { kind: 'api', name: api.name, arn: `arn:aws:execute-api:${m.target.region}:${m.target.account}:${api.id}` }, 'apigateway.amazonaws.com', sourceArn, `arn:aws:execute-api:${m.target.region}:${m.target.account}:${api.id}/*/*`, findings, notChecked);
      }
      const timeoutMs = r.integrationTimeoutMs ?? API_MAX_TIMEOUT_MS;
      if (unread('api-timeout-below-function', f, 'configuration')) continue;
      if (f.timeout !== undefined && timeoutMs < f.timeout * 1000) {
        findings.push({
          id: 'api-timeout-below-function',
          severity: 'warning',
          flow: m.flow,
          title: `route ${r.route} of API ${api.name} gives up after ${timeoutMs / 1000} s; ${f.name} may run ${f.timeout} s`,
          resources: [{ kind: 'api', name: api.name }, fnRef(f)],
          why: 'The caller gets a 503 while the function keeps running and may still commit its work, so a retry does it twice.',
          fix: {
            summary: `lower ${f.name}'s timeout to ${Math.floor(timeoutMs / 1000)} s${timeoutMs < API_MAX_TIMEOUT_MS ? `, or raise the integration timeout (up to ${API_MAX_TIMEOUT_MS / 1000} s)` : ''}`,
            command: `aws lambda update-function-configuration --function-name ${f.name} --timeout ${Math.max(1, Math.floor(timeoutMs / 1000))}`,
          },
        });
      }
    }
  }
  return { findings, notChecked };
}

function permissionFindings(m: DoctorModel, f: DoctorFunction, invokers: ResourceRef[], out: Finding[], notChecked: NotChecked[]): void {
  for (const i of invokers) {
    if (i.kind === 'topic') permissionFinding(m, f, i, 'sns.amazonaws.com', i.arn!, i.arn!, out, notChecked);
    else permissionFinding(m, f, i, 's3.amazonaws.com', i.arn!, i.arn!, out, notChecked);
  }
}

const ID_OF: Record<string, string> = { 'sns.amazonaws.com': 'lambda-permission-blocks-topic', 's3.amazonaws.com': 'lambda-permission-blocks-bucket', 'apigateway.amazonaws.com': 'lambda-permission-blocks-api' };

/** A function whose resource policy does not let `service` (from `sourceArn`) invoke it. */
function permissionFinding(m: DoctorModel, f: DoctorFunction, who: ResourceRef, service: string, sourceArn: string, grantArn: string, out: Finding[], notChecked: NotChecked[]): void {
  const id = ID_OF[service]!;
  if (f.unreadable.policy) {
    notChecked.push({ check: id, flow: m.flow, resources: [fnRef(f), who], reason: f.unreadable.policy });
    return;
  }
  if (f.policy === undefined) return;
  const account = m.target.account;
  const { decision, unsupported } = explainPolicy(f.policy ?? undefined, {
    principal: { service },
    action: 'lambda:InvokeFunction',
    resource: f.arn,
    keys: { 'AWS:SourceArn': sourceArn, 'AWS:SourceAccount': account },
  });
  if (decision === 'allow') return;
  if (decision === 'undecidable') {
    notChecked.push({ check: id, flow: m.flow, resources: [fnRef(f), who], reason: undecidable(unsupported) });
    return;
  }
  // Unique per source (a hash of the granted ARN), and never one the policy already has: AddPermission
  // refuses a taken id (ResourceConflictException), e.g. a stale statement that no longer matches.
  const base = `svl-doctor-${who.kind}-${who.name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 60)}-${shortHash(grantArn)}`;
  const statementId = freeSid(base, policySids(f.policy), '-');
  const withAccount = service === 's3.amazonaws.com';
  out.push({
    id,
    severity: 'error',
    flow: m.flow,
    title: `${f.name}'s resource policy does not let ${who.kind === 'api' ? 'API' : who.kind} ${who.name} invoke it`,
    resources: [fnRef(f), who],
    why: `${who.kind === 'api' ? 'API Gateway answers 500 to every request' : `${who.kind === 'topic' ? 'SNS' : 'S3'} cannot deliver an event`} when the function's policy refuses it, and nothing else says why.`,
    fix: {
      summary: `add a permission letting ${service} invoke ${f.name} from ${who.name}`,
      command: `aws lambda add-permission --function-name ${f.name} --statement-id ${statementId} --action lambda:InvokeFunction --principal ${service} --source-arn ${sh(grantArn)}${withAccount ? ` --source-account ${account}` : ''}`,
      action: { kind: 'lambda-add-permission', function: f.name, statementId, principal: service, sourceArn: grantArn, ...(withAccount && { sourceAccount: account }) },
    },
  });
}

/** Journal checks (emulator only): what consumers did with what they received. */
export function checkJournal(m: DoctorModel): CheckResult {
  const findings: Finding[] = [];
  const j = m.journal;
  if (!j) return { findings, notChecked: [] };
  const queues = new Map(m.inventory.queues.map((q) => [q.arn, q]));
  for (const c of m.inventory.consumers) {
    const results = sinceLastChange(m, c, j.errorResults);
    if (results.length) {
      const last = results.reduce((a, b) => (a.at > b.at ? a : b));
      const codes = [...new Set(results.map((r) => r.statusCode))].sort((a, b) => a - b);
      findings.push({
        id: 'function-returns-error-to-sqs',
        severity: 'error',
        flow: m.flow,
        title: `${c.functionName} returned statusCode ${codes.join('/')} to its SQS event source ${results.length} time${results.length === 1 ? '' : 's'} since its last change (last at ${last.at})`,
        resources: [{ kind: 'function', name: c.functionName, arn: c.functionArn }, { kind: 'queue', name: c.eventSourceArn.split(':').pop()!, arn: c.eventSourceArn }],
        why: 'An SQS event source ignores the returned value: the batch counts as processed and is deleted, so the failure is lost and the DLQ never fills.',
        fix: {
          summary: `throw an error from ${c.functionName} (or return { batchItemFailures: [...] } with ReportBatchItemFailures) instead of returning an HTTP status`,
          command: `svl trace ${last.requestId} --local`,
        },
      });
    }
  }
  const seen = new Set<string>();
  for (const t of j.testEvents) {
    if (seen.has(t.queueArn)) continue;
    seen.add(t.queueArn);
    const q = queues.get(t.queueArn);
    const source = q?.deadLetterSources.length && t.inDeadLetterQueue ? queues.get(q.deadLetterSources[0]!) : q;
    const consumers = m.inventory.consumers.filter((c) => c.eventSourceArn === (source?.arn ?? t.queueArn));
    if (!consumers.length) continue;
    findings.push({
      id: 'handler-throws-on-s3-test-event',
      severity: 'warning',
      flow: m.flow,
      title: `${consumers.map((c) => c.functionName).join(', ')} failed on the s3:TestEvent of ${source?.name ?? t.queueArn.split(':').pop()}${t.inDeadLetterQueue ? ` (now in ${q?.name})` : ` (received ${t.receiveCount} times)`}`,
      resources: [...consumers.map((c): ResourceRef => ({ kind: 'function', name: c.functionName, arn: c.functionArn })), { kind: 'queue', name: source?.name ?? t.queueArn, arn: source?.arn ?? t.queueArn }],
      why: 'S3 sends one s3:TestEvent (no Records) whenever the notification configuration is set; a handler that fails on it retries it until it is dead-lettered, and alarms on the DLQ fire for nothing.',
      fix: {
        summary: 'skip messages whose body has "Event": "s3:TestEvent" (they carry no Records) and delete them',
        command: `if (body.Event === 's3:TestEvent') return; // in the handler, before reading body.Records`,
        code: true,
      },
    });
  }
  return { findings, notChecked: [] };
}
