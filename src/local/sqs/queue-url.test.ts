// Queue URLs and ARNs carry the queue's region: the forms svl hands out and the forms it accepts back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQueueArn, parseQueueUrl, queueUrlPath } from './model.js';

describe('queue URLs and regions', () => {
  it('keeps <account>/<name> in us-east-1 and uses /queue/<region>/ elsewhere', () => {
    assert.equal(queueUrlPath('us-east-1', '000000000000', 'orders'), '/000000000000/orders');
    assert.equal(queueUrlPath('eu-west-1', '000000000000', 'orders'), '/queue/eu-west-1/000000000000/orders');
  });

  it('reads the region from svl, LocalStack and AWS URL forms', () => {
    const cases: Array<[string, string | undefined]> = [
      ['http://127.0.0.1:4566/000000000000/orders', undefined],
      ['http://127.0.0.1:4566/queue/eu-west-1/000000000000/orders', 'eu-west-1'],
      ['http://sqs.ap-southeast-1.localhost.localstack.cloud:4566/000000000000/orders', 'ap-southeast-1'],
      ['https://sqs.us-gov-west-1.amazonaws.com/000000000000/orders', 'us-gov-west-1'],
      ['https://eu-central-1.queue.amazonaws.com/000000000000/orders', 'eu-central-1'],
      ['/queue/sa-east-1/000000000000/orders', 'sa-east-1'],
    ];
    for (const [url, region] of cases) assert.deepEqual(parseQueueUrl(url), { region, account: '000000000000', name: 'orders' }, url);
  });

  it('rejects what is not a queue URL', () => {
    for (const url of ['', 'http://127.0.0.1:4566/', 'http://127.0.0.1:4566/orders', 'http://127.0.0.1:4566/notanaccount/orders', 42]) {
      assert.equal(parseQueueUrl(url), undefined, String(url));
    }
  });

  it('parses queue ARNs with their region', () => {
    assert.deepEqual(parseQueueArn('arn:aws:sqs:eu-west-1:000000000000:orders.fifo'), { region: 'eu-west-1', account: '000000000000', name: 'orders.fifo' });
    assert.equal(parseQueueArn('arn:aws:sns:eu-west-1:000000000000:orders'), undefined);
    assert.equal(parseQueueArn('arn:aws:sqs:eu-west-1:0000:orders'), undefined);
  });
});
