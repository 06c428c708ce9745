// The kube-system/extension-apiserver-authentication ConfigMap: how extension API servers built on
// k8s.io/apiserver learn, with their default flags, which CA signs client certificates and which front proxy
// (the aggregator) may assert users in request headers. Written at every start from kage's PKI, in the format
// kube-apiserver's cluster authentication trust controller publishes (header lists as JSON arrays).
import type { KubeObject } from '../api/types.js';
import type { Pki } from '../pki/certificates.js';
import type { Registry } from '../registry/registry.js';
import { objectKey } from '../rest/keys.js';
import { prepareForCreate } from '../rest/strategy.js';
import { StoreError, type Store } from '../../storage/store.js';

export const EXTENSION_AUTHENTICATION_NAMESPACE = 'kube-system';
export const EXTENSION_AUTHENTICATION_NAME = 'extension-apiserver-authentication';

/** The request headers kage's aggregator sets when proxying (the kubeadm defaults of kube-apiserver's flags). */
export const REQUEST_HEADER_USERNAME_HEADERS = ['X-Remote-User'];
export const REQUEST_HEADER_GROUP_HEADERS = ['X-Remote-Group'];
export const REQUEST_HEADER_EXTRA_HEADERS_PREFIX = ['X-Remote-Extra-'];
/** The common name of the front-proxy client certificate (pki: front-proxy-client). */
export const REQUEST_HEADER_ALLOWED_NAMES = ['front-proxy-client'];

/** The ConfigMap's data, keys sorted as the real one is written. */
export function extensionAuthenticationData(pki: Pick<Pki, 'caCertPem' | 'frontProxyCaCertPem'>): Record<string, string> {
  return {
    'client-ca-file': pki.caCertPem,
    'requestheader-allowed-names': JSON.stringify(REQUEST_HEADER_ALLOWED_NAMES),
    'requestheader-client-ca-file': pki.frontProxyCaCertPem,
    'requestheader-extra-headers-prefix': JSON.stringify(REQUEST_HEADER_EXTRA_HEADERS_PREFIX),
    'requestheader-group-headers': JSON.stringify(REQUEST_HEADER_GROUP_HEADERS),
    'requestheader-username-headers': JSON.stringify(REQUEST_HEADER_USERNAME_HEADERS),
  };
}

function sameData(a: unknown, b: Record<string, string>): boolean {
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return false;
  const rec = a as Record<string, unknown>;
  const keys = Object.keys(rec);
  return keys.length === Object.keys(b).length && keys.every((k) => rec[k] === b[k]);
}

/**
 * Creates the ConfigMap, or updates it when its data differs from what the PKI says (the namespace must exist:
 * call after seeding). Concurrent writers are retried a few times.
 */
export async function writeExtensionAuthentication(store: Store, registry: Registry, pki: Pick<Pki, 'caCertPem' | 'frontProxyCaCertPem'>): Promise<void> {
  const def = registry.find('', 'v1', 'configmaps');
  if (!def) return;
  const data = extensionAuthenticationData(pki);
  const key = objectKey(def, EXTENSION_AUTHENTICATION_NAMESPACE, EXTENSION_AUTHENTICATION_NAME);
  for (let attempt = 0; ; attempt++) {
    try {
      const existing = await store.get(key);
      if (existing) {
        if (sameData(existing.object['data'], data)) return;
        const next = JSON.parse(existing.json) as KubeObject;
        next['data'] = data;
        delete next['binaryData'];
        delete next.metadata.resourceVersion;
        await store.update(key, next, existing.revision);
        return;
      }
      const obj = prepareForCreate(def, {
        apiVersion: 'v1', kind: 'ConfigMap',
        metadata: { name: EXTENSION_AUTHENTICATION_NAME, namespace: EXTENSION_AUTHENTICATION_NAMESPACE },
        data,
      }, EXTENSION_AUTHENTICATION_NAMESPACE, new Date());
      await store.create(key, obj);
      return;
    } catch (err) {
      const retriable = err instanceof StoreError && (err.code === 'Conflict' || err.code === 'AlreadyExists');
      if (!retriable || attempt >= 4) throw err;
    }
  }
}
