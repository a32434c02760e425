/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The Python local host (python -m devhost) and Azure Functions both listen on 7071 and serve the
// API under /api; in development Vite serves the app on 5173 and forwards /api there.
const API_TARGET = process.env.API_PROXY_TARGET ?? 'http://localhost:7071';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: API_TARGET, changeOrigin: false },
    },
  },
  preview: {
    port: 4173,
    proxy: {
      '/api': { target: API_TARGET, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No source maps in what is deployed: they would publish the whole source (1.7 MB) to anyone.
    // `vite build --sourcemap` makes them for local debugging.
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
