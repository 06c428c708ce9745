// Starts and stops one kage server: PKI, storage, the HTTPS listener and the kubeconfig.
// (Being written; see server/app.ts.)
export interface KageOptions {
  /** 0 picks a free port. */
  port: number;
  bindAddress: string;
  dataDir: string;
  kubeconfigPath: string;
}

export interface RunningKage {
  /** https://127.0.0.1:<real port> */
  url: string;
  port: number;
  kubeconfigPath: string;
  adminToken: string;
  /** Stops listening, closes storage; resolves when everything is flushed. */
  close(): Promise<void>;
}

export async function startKage(_opts: KageOptions): Promise<RunningKage> {
  throw new Error('not yet');
}
