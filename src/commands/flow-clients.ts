/** SDK clients for flow commands, with a count of the API calls made (reported by init/apply). */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { Target } from '../aws/target.js';
import type { AutostartUi } from '../aws/local-autostart.js';
import type { FlowClients } from '../flows/observe.js';
import type { PlanContext } from '../flows/plan.js';

export interface CountedClients extends FlowClients {
  calls(): number;
  /** Stops counting (removes the middleware from the shared, memoised clients). */
  release(): void;
}

type Stack = { add: (mw: unknown, opts: { step: string; name: string }) => void; remove: (name: string) => boolean };

export async function flowClients(target: Target, ui: AutostartUi): Promise<CountedClients> {
  const { getSqs, getSns, getLambda, getS3 } = await import('../aws/clients.js');
  const [sqs, sns] = await Promise.all([getSqs(target, ui), getSns(target, ui)]);
  let n = 0;
  const name = `svl-count-${Math.random().toString(36).slice(2)}`;
  const counted: Stack[] = [];
  const count = (c: { middlewareStack: unknown }) => {
    const stack = c.middlewareStack as Stack;
    stack.add(
      (next: (a: unknown) => Promise<unknown>) => (args: unknown) => {
        n++;
        return next(args);
      },
      { step: 'initialize', name },
    );
    counted.push(stack);
  };
  count(sqs);
  count(sns);
  let lambda: Promise<LambdaClient | undefined> | undefined;
  let apigw: Promise<ApiGatewayV2Client | undefined> | undefined;
  let s3: ReturnType<typeof getS3> | undefined;
  return {
    sqs,
    sns,
    // On --local, consumers apply once the emulator answers Lambda (its health lists the service);
    // an older emulator without it gets them reported, not applied.
    // Asked once per run (observe, then apply or destroy): the health check and the client are shared.
    lambda: () =>
      (lambda ??= (async () => {
        if (target.kind === 'local') {
          const { emulatorServices } = await import('../aws/local-autostart.js');
          const endpoint = target.endpoints.lambda ?? target.endpoints.sqs;
          if (!endpoint || !(await emulatorServices(endpoint)).includes('lambda')) return undefined;
        }
        const l = await getLambda(target, ui);
        count(l);
        return l;
      })().catch((err: unknown) => {
        lambda = undefined;
        throw err;
      })),
    // HTTP APIs: on --local only when the emulator answers API Gateway (its health lists the service).
    apigw: () =>
      (apigw ??= (async () => {
        if (target.kind === 'local') {
          const { emulatorServices } = await import('../aws/local-autostart.js');
          const endpoint = target.endpoints.lambda ?? target.endpoints.sqs;
          if (!endpoint || !(await emulatorServices(endpoint)).includes('apigateway')) return undefined;
        }
        const { getApiGatewayV2 } = await import('../aws/clients.js');
        const a = await getApiGatewayV2(target, ui);
        count(a);
        return a;
      })().catch((err: unknown) => {
        apigw = undefined;
        throw err;
      })),
    s3: () =>
      (s3 ??= getS3(target, ui).then((c) => {
        count(c);
        return c;
      })),
    calls: () => n,
    release: () => {
      for (const s of counted) s.remove(name);
    },
  };
}

/** Region/account for ARNs before anything exists: fixed on the emulator, filled from the topic on AWS. */
export async function basePlanContext(target: Target, clients: FlowClients): Promise<PlanContext> {
  if (target.kind === 'local') return { kind: 'local', region: target.region ?? 'us-east-1', account: target.accountId ?? '000000000000' };
  const region = await clients.sqs.config.region();
  return { kind: 'aws', region, account: '<account>' };
}
