// Runs only svl/testing's jest suite (test/testing/runners.test.mjs starts it from node:test), as ESM.
export default {
  rootDir: '../../..',
  testMatch: ['<rootDir>/test/testing/runners/*.jest.mjs'],
  transform: {},
  testEnvironment: 'node',
  testTimeout: 30_000,
};
