// The flow the vitest and jest suites share: orders topic -> shipping queue (DLQ after 5 receives) -> ship.
export const ordersFlow = {
  name: 'orders',
  topic: { name: 'orders' },
  queues: [{ name: 'shipping', visibilityTimeout: 30, dlq: { maxReceiveCount: 5 }, consumer: { function: 'ship', batchSize: 1 } }],
};
