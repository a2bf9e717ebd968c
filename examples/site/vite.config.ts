import { defineConfig } from "vite";

// The page is plain TypeScript and CSS: vite's defaults suffice. The API's
// address comes from VITE_KIOSQUE_API at build time (see src/env.d.ts).
export default defineConfig({
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
});
