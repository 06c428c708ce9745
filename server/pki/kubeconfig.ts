// Writes the admin kubeconfig kubectl uses to reach kage.
import { writeFileAtomic } from './files.js';

export interface KubeconfigOptions {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  /** PEM of the CA that signed the serving certificate. */
  caCertPem: string;
  /** Bearer token of the admin user. */
  token: string;
}

export const KUBECONFIG_CLUSTER_NAME = 'kage';
export const KUBECONFIG_USER_NAME = 'admin';
export const KUBECONFIG_CONTEXT_NAME = 'kage';

/** The kubeconfig document as YAML text. */
export function renderKubeconfig(opts: KubeconfigOptions): string {
  const caData = Buffer.from(opts.caCertPem, 'utf8').toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${quote(KUBECONFIG_CLUSTER_NAME)}`,
    '  cluster:',
    `    server: ${quote(opts.server)}`,
    `    certificate-authority-data: ${quote(caData)}`,
    'users:',
    `- name: ${quote(KUBECONFIG_USER_NAME)}`,
    '  user:',
    `    token: ${quote(opts.token)}`,
    'contexts:',
    `- name: ${quote(KUBECONFIG_CONTEXT_NAME)}`,
    '  context:',
    `    cluster: ${quote(KUBECONFIG_CLUSTER_NAME)}`,
    `    user: ${quote(KUBECONFIG_USER_NAME)}`,
    `current-context: ${quote(KUBECONFIG_CONTEXT_NAME)}`,
    'preferences: {}',
    '',
  ].join('\n');
}

/**
 * Writes the kubeconfig to `path` (mode 0600, parent directories created, replaced atomically
 * so a concurrently running kubectl never reads a half-written file).
 */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await writeFileAtomic(path, renderKubeconfig(opts), 0o600);
}

/**
 * A YAML double-quoted scalar. JSON string syntax is a subset of YAML's double-quoted style
 * (same escapes); on top of JSON.stringify we escape the characters YAML does not allow
 * unescaped or treats as line breaks (DEL, C1 controls, NEL/LS/PS, BOM).
 */
function quote(value: string): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
