// Runs only svl/testing's vitest suite (test/testing/runners.test.mjs starts it from node:test).
import { defineConfig } from 'vitest/config';
export default defineConfig({
  test: { include: ['test/testing/runners/*.vitest.mjs'], testTimeout: 30_000, hookTimeout: 30_000 },
});
