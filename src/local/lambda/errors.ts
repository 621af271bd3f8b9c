/** Named Lambda errors (REST-JSON: `x-amzn-errortype` + `{"Type":"User","message"}`), statuses per the model. */
import { AwsError } from '../../domain/aws-error.js';

const err = (code: string, message: string, status: number, fault: 'Sender' | 'Receiver' = 'Sender') => new AwsError(code, message, { status, fault });

export const resourceNotFound = (message: string) => err('ResourceNotFoundException', message, 404);
export const functionNotFound = (arn: string) => resourceNotFound(`Function not found: ${arn}`);
export const resourceConflict = (message: string) => err('ResourceConflictException', message, 409);
export const invalidParameterValue = (message: string) => err('InvalidParameterValueException', message, 400);
export const invalidRequestContent = (message: string) => err('InvalidRequestContentException', message, 400);
export const requestTooLarge = (message: string) => err('RequestTooLargeException', message, 413);
export const preconditionFailed = (message: string) => err('PreconditionFailedException', message, 412);
export const validation = (message: string) => err('ValidationException', message, 400);
/** An operation of the Lambda API the emulator does not implement: AWS-shaped, never a crash. */
export const notImplemented = (op: string) =>
  err('InvalidParameterValueException', `svl emulator: the Lambda operation ${op} is not supported (see the fidelity ledger in src/local/lambda/service.ts).`, 400);
export const unknownOperation = (method: string, path: string) =>
  err('UnknownOperationException', `No Lambda operation answers ${method} ${path}.`, 404);

/** Model constraint failures read like AWS's: "1 validation error detected: Value … at '…' failed to satisfy constraint: …". */
export const constraint = (value: unknown, field: string, constraintText: string) =>
  validation(`1 validation error detected: Value ${value === null || value === undefined ? 'null' : typeof value === 'string' ? `'${value}'` : JSON.stringify(value)} at '${field}' failed to satisfy constraint: ${constraintText}`);
