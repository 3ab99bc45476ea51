/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// The build lands in the Go package that embeds it (internal/storefront),
// with content-hashed names under /assets/ that the binary caches for a year.
// JSX goes through esbuild's automatic runtime: no React plugin is needed.
export default defineConfig({
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "../../internal/storefront/dist",
    emptyOutDir: true,
    target: "es2022",
    assetsDir: "assets",
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev` against `make run`'s API.
    proxy: { "/api": "http://127.0.0.1:8080", "/media": "http://127.0.0.1:8080" },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
