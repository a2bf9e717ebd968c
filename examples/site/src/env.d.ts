/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the Kiosque API answers (without /api/v1), fixed at build time. */
  readonly VITE_KIOSQUE_API?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
