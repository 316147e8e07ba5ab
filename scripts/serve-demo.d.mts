// Types for scripts/serve-demo.mjs, which the browser tests import.
import type { Server } from 'node:http';

/** the default mounts: URL prefix → folder (build/demo/ at /, build/demo-data/ at /data/) */
export declare const DEMO_MOUNTS: Record<string, string>;

/** Serve `mounts` (URL prefix → folder) on 127.0.0.1:`port` (0: any free port); `isolated`: also send
 *  `Cross-Origin-Embedder-Policy: require-corp` (COOP is always sent), which makes pages cross-origin isolated;
 *  `csp`: a Content-Security-Policy header for every response. */
export declare function serve(options?: {
  port?: number;
  mounts?: Record<string, string>;
  isolated?: boolean;
  csp?: string;
}): Promise<{
  server: Server;
  url: string;
  close: () => Promise<void>;
}>;
