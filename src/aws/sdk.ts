/**
 * The AWS SDK v3 client packages, loaded with `require` on first use. They are CommonJS: `import()`-ing
 * one makes Node's ESM loader scan its source (and the @smithy/@aws-sdk modules it re-exports) for export
 * names and check each file's module format, which costs more CPU than loading it (measured on Node 20:
 * the five clients `svl doctor` uses take ~0.7 s of CPU through import(), ~0.3 s through require).
 * Each package is loaded once per process, only when a caller asks for it.
 *
 * Not here: constructing clients (clients.ts) or anything else about them.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export const sqsSdk = (): typeof import('@aws-sdk/client-sqs') => load('@aws-sdk/client-sqs');
export const snsSdk = (): typeof import('@aws-sdk/client-sns') => load('@aws-sdk/client-sns');
export const lambdaSdk = (): typeof import('@aws-sdk/client-lambda') => load('@aws-sdk/client-lambda');
export const s3Sdk = (): typeof import('@aws-sdk/client-s3') => load('@aws-sdk/client-s3');
export const apiGatewayV2Sdk = (): typeof import('@aws-sdk/client-apigatewayv2') => load('@aws-sdk/client-apigatewayv2');
export const stsSdk = (): typeof import('@aws-sdk/client-sts') => load('@aws-sdk/client-sts');
