import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // Tests that spawn bin/apdesk.js run the compiled JavaScript: build it first.
    globalSetup: ['test/setup/build-binary.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn real processes and write real files: two workers suit the 2-core machines.
    maxWorkers: 2,
  },
});
