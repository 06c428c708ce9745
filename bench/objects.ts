// The objects the bench writes.

/**
 * Bytes of `data.payload` in each bench ConfigMap. With the metadata kage adds (namespace, uid,
 * resourceVersion, creationTimestamp) a stored ConfigMap is then about 460 bytes, the size of the
 * objects in the reference LIST (10,000 ConfigMaps = 4.6 MB, which includes managedFields).
 */
export const CONFIGMAP_PAYLOAD_BYTES = 218;

const PAYLOAD = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(20);

export function configMapName(prefix: string, i: number): string {
  return `${prefix}${String(i).padStart(5, '0')}`;
}

/** JSON of a ConfigMap to create (name must be a DNS-1123 subdomain). */
export function configMapBody(name: string, payloadBytes = CONFIGMAP_PAYLOAD_BYTES): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { app: 'kage-bench' } },
    data: { payload: PAYLOAD.slice(0, payloadBytes), owner: name },
  });
}
