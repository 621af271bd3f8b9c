// The SNS state added for issue 12 survives a restart on the same state directory: topic permissions,
// data protection policies, platform applications and endpoints, SMS attributes, the opt-out list and
// sandbox phone numbers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupSns } from '../helpers/sns.mjs';

const stateDir = mkdtempSync(join(tmpdir(), 'svl-sns-ops-persist-'));
after(() => rmSync(stateDir, { recursive: true, force: true }));

test('permissions, data protection, platform apps/endpoints and SMS settings survive a restart', async () => {
  let t = await setupSns({ stateDir });
  const topic = await t.createTopic('kept');
  await t.call('AddPermission', { TopicArn: topic, Label: 'partner', AWSAccountId: ['111122223333'], ActionName: ['Publish'] });
  await t.call('PutDataProtectionPolicy', { ResourceArn: topic, DataProtectionPolicy: '{"Name":"p","Version":"2021-06-01","Statement":[]}' });
  const app = (await t.call('CreatePlatformApplication', { Name: 'kept', Platform: 'GCM', Attributes: { PlatformCredential: 'k' } })).PlatformApplicationArn;
  const ep = (await t.call('CreatePlatformEndpoint', { PlatformApplicationArn: app, Token: 'tok', CustomUserData: 'u' })).EndpointArn;
  await t.call('SetSMSAttributes', { attributes: { DefaultSMSType: 'Transactional' } });
  (await t.emu.sns.optionalParts()).sms.optOut('+15555550100');
  await t.call('CreateSMSSandboxPhoneNumber', { PhoneNumber: '+15555550101' });
  await t.close();

  t = await setupSns({ stateDir });
  try {
    assert.deepEqual(JSON.parse((await t.topicAttrs(topic)).Policy).Statement.map((s) => s.Sid), ['__default_statement_ID', 'partner']);
    assert.equal((await t.call('GetDataProtectionPolicy', { ResourceArn: topic })).DataProtectionPolicy, '{"Name":"p","Version":"2021-06-01","Statement":[]}');
    assert.deepEqual((await t.call('ListEndpointsByPlatformApplication', { PlatformApplicationArn: app })).Endpoints, [
      { EndpointArn: ep, Attributes: { Enabled: 'true', CustomUserData: 'u', Token: 'tok' } },
    ]);
    assert.equal((await t.call('GetSMSAttributes', { attributes: ['DefaultSMSType'] })).attributes.DefaultSMSType, 'Transactional');
    assert.deepEqual((await t.call('ListPhoneNumbersOptedOut', {})).phoneNumbers, ['+15555550100']);
    assert.deepEqual((await t.call('ListSMSSandboxPhoneNumbers', {})).PhoneNumbers, [{ PhoneNumber: '+15555550101', Status: 'Pending' }]);
  } finally {
    await t.close();
  }
});
