import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Build from the repo root with: npx vite build --config ui/vite.config.ts
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
  },
  server: {
    // `npx vite --config ui/vite.config.ts` for development against a running API (default port 8420).
    proxy: { '/api': 'http://127.0.0.1:8420' },
  },
});
