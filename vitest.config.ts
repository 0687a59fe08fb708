import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Native engines and ffmpeg use both cores; files running in parallel would only thrash.
    fileParallelism: false,
    reporters: ['default'],
  },
});
