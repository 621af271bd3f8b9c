// SNS SMS operations with the real @aws-sdk/client-sns: SMS attributes, opt-out list, the SMS sandbox
// (phone numbers with their one-time password, which the emulator logs instead of texting) and
// origination numbers. [AWS-rec] = LocalStack snapshot recorded against AWS (TestSNSSMS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSns, expectSnsError, invalidParameter } from '../helpers/sns.mjs';

const lines = [];
let t;
before(async () => (t = await setupSns({ log: (l) => lines.push(l) })));
after(() => t.close());

const invalidAttr = (message) => ({ name: 'InvalidParameterException', code: 'InvalidParameter', message });
const badNumber = invalidParameter('Invalid parameter: PhoneNumber Reason: input incorrectly formatted');

test('GetSMSAttributes of an untouched account is MonthlySpendLimit=1 [AWS-rec]; SetSMSAttributes stores, Get filters by name [AWS-rec]', async () => {
  assert.deepEqual((await t.call('GetSMSAttributes', {})).attributes, { MonthlySpendLimit: '1' });
  const r = await t.call('SetSMSAttributes', { attributes: { DeliveryStatusSuccessSamplingRate: '100', DefaultSenderID: 'LSTest', DefaultSMSType: 'Promotional' } });
  assert.equal(r.$metadata.httpStatusCode, 200);
  assert.deepEqual((await t.call('GetSMSAttributes', {})).attributes, {
    DefaultSMSType: 'Promotional',
    DefaultSenderID: 'LSTest',
    DeliveryStatusSuccessSamplingRate: '100',
    MonthlySpendLimit: '1',
  });
  assert.deepEqual((await t.call('GetSMSAttributes', { attributes: ['DefaultSenderID', 'DefaultSMSType'] })).attributes, { DefaultSMSType: 'Promotional', DefaultSenderID: 'LSTest' });
});

test('SetSMSAttributes errors: unknown name, bad DefaultSMSType [AWS-rec], bad sender id, bad numbers, no map', async () => {
  await expectSnsError(t.call('SetSMSAttributes', { attributes: { InvalidAttribute: 'invalid' } }), invalidAttr('InvalidAttribute is not a valid attribute'));
  await expectSnsError(t.call('SetSMSAttributes', { attributes: { DefaultSendID: 'a'.repeat(12) } }), invalidAttr('DefaultSendID is not a valid attribute'));
  await expectSnsError(t.call('SetSMSAttributes', { attributes: { DefaultSMSType: 'invalid' } }), invalidAttr('DefaultSMSType is invalid'));
  await expectSnsError(t.call('SetSMSAttributes', { attributes: { DefaultSenderID: '123456789' } }), invalidAttr('DefaultSenderID is invalid'));
  await expectSnsError(t.call('SetSMSAttributes', { attributes: { DefaultSenderID: 'a'.repeat(12) } }), invalidAttr('DefaultSenderID is invalid'));
  await expectSnsError(t.call('SetSMSAttributes', { attributes: { MonthlySpendLimit: 'lots' } }), invalidAttr('MonthlySpendLimit is invalid'));
  await expectSnsError(t.call('SetSMSAttributes', { attributes: { DeliveryStatusSuccessSamplingRate: '101' } }), invalidAttr('DeliveryStatusSuccessSamplingRate is invalid'));
  await expectSnsError(t.call('SetSMSAttributes', {}), { code: 'ValidationError', message: "1 validation error detected: Value null at 'attributes' failed to satisfy constraint: Member must not be null" });
});

test('opt-out list: check, list, opt in [AWS-rec]; opting in a number never opted out succeeds [AWS-rec]', async () => {
  const n = '+15555550100';
  assert.equal((await t.call('CheckIfPhoneNumberIsOptedOut', { phoneNumber: n })).isOptedOut, false);
  assert.deepEqual((await t.call('ListPhoneNumbersOptedOut', {})).phoneNumbers, []);
  (await t.emu.sns.optionalParts()).sms.optOut(n); // what a STOP reply does on AWS
  assert.equal((await t.call('CheckIfPhoneNumberIsOptedOut', { phoneNumber: n })).isOptedOut, true);
  assert.deepEqual((await t.call('ListPhoneNumbersOptedOut', {})).phoneNumbers, [n]);
  await t.call('OptInPhoneNumber', { phoneNumber: n });
  assert.equal((await t.call('CheckIfPhoneNumberIsOptedOut', { phoneNumber: n })).isOptedOut, false);
  await t.call('OptInPhoneNumber', { phoneNumber: '+4411111111' });
});

test('opt-out errors: badly formatted numbers [AWS-rec], bad nextToken', async () => {
  await expectSnsError(t.call('OptInPhoneNumber', { phoneNumber: 'invalid' }), badNumber);
  await expectSnsError(t.call('CheckIfPhoneNumberIsOptedOut', { phoneNumber: 'invalid' }), badNumber);
  await expectSnsError(t.call('CheckIfPhoneNumberIsOptedOut', {}), badNumber);
  await expectSnsError(t.call('ListPhoneNumbersOptedOut', { nextToken: 'zz' }), invalidParameter('Invalid parameter: nextToken'));
});

test('SMS sandbox: the account is in it; a number is created Pending, verified with the logged OTP, listed, deleted', async () => {
  assert.equal((await t.call('GetSMSSandboxAccountStatus', {})).IsInSandbox, true);
  const n = '+15555550111';
  await t.call('CreateSMSSandboxPhoneNumber', { PhoneNumber: n, LanguageCode: 'en-GB' });
  assert.deepEqual((await t.call('ListSMSSandboxPhoneNumbers', {})).PhoneNumbers, [{ PhoneNumber: n, Status: 'Pending' }]);
  const otp = lines.map((l) => new RegExp(`SNS sandbox OTP \\${n} (\\d{6})`).exec(l)?.[1]).find(Boolean);
  assert.ok(otp, lines.join('\n'));
  const wrong = otp === '000000' ? '111111' : '000000';
  await expectSnsError(t.call('VerifySMSSandboxPhoneNumber', { PhoneNumber: n, OneTimePassword: wrong }), { name: 'VerificationException', code: 'VerificationException', message: 'Invalid one-time password.' });
  await t.call('VerifySMSSandboxPhoneNumber', { PhoneNumber: n, OneTimePassword: otp });
  assert.deepEqual((await t.call('ListSMSSandboxPhoneNumbers', {})).PhoneNumbers, [{ PhoneNumber: n, Status: 'Verified' }]);
  await expectSnsError(t.call('CreateSMSSandboxPhoneNumber', { PhoneNumber: n }), { name: 'UserErrorException', code: 'UserError', message: 'Phone number is already verified.' });
  await t.call('DeleteSMSSandboxPhoneNumber', { PhoneNumber: n });
  assert.deepEqual((await t.call('ListSMSSandboxPhoneNumbers', {})).PhoneNumbers, []);
});

test('SMS sandbox errors: number pattern, language, OTP shape, unknown number, opted-out number, MaxResults', async () => {
  const pattern = (v) => ({
    code: 'ValidationError',
    message: `1 validation error detected: Value '${v}' at 'phoneNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(\\+[0-9]{8,}|[0-9]{0,9})$`,
  });
  await expectSnsError(t.call('CreateSMSSandboxPhoneNumber', { PhoneNumber: '+1555' }), pattern('+1555'));
  await expectSnsError(t.call('CreateSMSSandboxPhoneNumber', { PhoneNumber: '+15555550122', LanguageCode: 'xx-XX' }), { code: 'ValidationError', includes: "Value 'xx-XX' at 'languageCode'" });
  await expectSnsError(t.call('VerifySMSSandboxPhoneNumber', { PhoneNumber: '+15555550122', OneTimePassword: '12' }), { code: 'ValidationError', includes: "Value '12' at 'oneTimePassword'" });
  const notFound = { name: 'ResourceNotFoundException', code: 'ResourceNotFound', status: 404, message: 'Phone number does not exist.' };
  await expectSnsError(t.call('VerifySMSSandboxPhoneNumber', { PhoneNumber: '+15555550122', OneTimePassword: '123456' }), notFound);
  await expectSnsError(t.call('DeleteSMSSandboxPhoneNumber', { PhoneNumber: '+15555550122' }), notFound);
  (await t.emu.sns.optionalParts()).sms.optOut('+15555550133');
  await expectSnsError(t.call('CreateSMSSandboxPhoneNumber', { PhoneNumber: '+15555550133' }), { name: 'OptedOutException', code: 'OptedOut', message: 'Phone number is opted out.' });
  await expectSnsError(t.call('ListSMSSandboxPhoneNumbers', { MaxResults: 101 }), {
    code: 'ValidationError',
    message: "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
  });
});

test('ListOriginationNumbers: the emulator owns none; MaxResults is 1 to 30', async () => {
  assert.deepEqual((await t.call('ListOriginationNumbers', {})).PhoneNumbers ?? [], []);
  assert.deepEqual((await t.call('ListOriginationNumbers', { MaxResults: 30 })).PhoneNumbers ?? [], []);
  await expectSnsError(t.call('ListOriginationNumbers', { MaxResults: 31 }), {
    name: 'ValidationException',
    code: 'ValidationException',
    message: "1 validation error detected: Value '31' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 30",
  });
  await expectSnsError(t.call('ListOriginationNumbers', { MaxResults: 0 }), { code: 'ValidationException', includes: 'greater than or equal to 1' });
});

test('Publish to a phone number answers a MessageId and logs the message, never texts it; AWS checks the number [AWS-rec]', async () => {
  const { MessageId } = await t.call('Publish', { PhoneNumber: '+15555550144', Message: 'code 1234' });
  assert.match(MessageId, /^[0-9a-f-]{36}$/);
  assert.ok(lines.some((l) => l.includes('SNS -> sms +15555550144') && l.includes(`id=${MessageId}`) && l.includes('not sent')), lines.join('\n'));
  (await t.emu.sns.optionalParts()).sms.optOut('+15555550155');
  const out = await t.call('Publish', { PhoneNumber: '+15555550155', Message: 'x' });
  assert.ok(lines.some((l) => l.includes(`id=${out.MessageId}`) && l.includes('opted out, dropped')));
  await expectSnsError(t.call('Publish', { PhoneNumber: '+1a234', Message: 'x' }), invalidParameter('Invalid parameter: PhoneNumber Reason: +1a234 is not valid to publish to'));
  await expectSnsError(t.call('Publish', { PhoneNumber: 'NAA+15551234567', Message: 'x' }), invalidParameter('Invalid parameter: PhoneNumber Reason: NAA+15551234567 is not valid to publish to'));
  await expectSnsError(t.call('Publish', { PhoneNumber: '+15555550144', Message: '' }), invalidParameter('Invalid parameter: Empty message'));
});
