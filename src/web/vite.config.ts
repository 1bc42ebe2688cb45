import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

/** The page: root src/web, built into dist/web at the repository root; relative asset URLs. */
export default defineConfig({
  root: webRoot,
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    // `npx vite --config src/web/vite.config.ts` against a running `sam-annotator serve`.
    proxy: { '/api': process.env.SAM_ANNOTATOR_URL ?? 'http://127.0.0.1:7860' },
  },
});
