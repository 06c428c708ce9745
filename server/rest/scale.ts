// The scale subresource (autoscaling/v1 Scale) of kinds with spec.replicas, e.g. deployments.
import { badRequest, notFound } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { decodeObjectBody, mediaTypeOf, parseJson, readBody } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import { labelSelectorFromSet, labelSelectorString } from '../selectors/labels.js';
import { resourceOf, type RestRequest } from './context.js';
import { objectKey } from './keys.js';
import { applyMergePatch } from './merge-patch.js';
import { guaranteedUpdate } from './update.js';

interface ScaleSpec { replicas?: number }

/** The parent's spec.selector as a selector string: a LabelSelector, or (mapSelector) a plain label map. */
function selectorString(selector: unknown, mapSelector: boolean): string {
  if (!selector || typeof selector !== 'object') return '';
  if (mapSelector) return labelSelectorFromSet(selector as Record<string, string>).toString();
  return labelSelectorString(selector as { matchLabels?: Record<string, string>; matchExpressions?: unknown[] });
}

function scaleOf(obj: Readonly<KubeObject>, mapSelector = false): KubeObject {
  const spec = (obj['spec'] ?? {}) as { replicas?: number; selector?: unknown };
  const status = (obj['status'] ?? {}) as { replicas?: number };
  const m = obj.metadata;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorString(spec.selector, mapSelector) },
  };
}

function replicasOf(scale: Record<string, unknown>): number {
  const spec = scale['spec'] as ScaleSpec | undefined;
  const n = spec?.replicas;
  if (n === undefined) return 0;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw badRequest('spec.replicas must be a non-negative integer');
  return n;
}

/** GET, PUT or PATCH …/<name>/scale */
export async function serveScale(r: RestRequest): Promise<void> {
  const key = objectKey(r.def, r.info.namespace, r.info.name);
  const mapSelector = r.def.subresources.some((s) => s.name === 'scale' && s.mapSelector === true);
  if (r.info.verb === 'get') {
    const rec = await r.services.store.get(key);
    if (!rec) throw notFound(resourceOf(r.def), r.info.name);
    sendJson(r.res, 200, scaleOf(rec.object, mapSelector));
    return;
  }
  let change: (current: Readonly<KubeObject>) => Record<string, unknown>;
  if (r.info.verb === 'update') {
    const body = await decodeObjectBody(await readBody(r.req), r.req.headers['content-type']);
    change = () => body;
  } else {
    const media = mediaTypeOf(r.req.headers['content-type']);
    if (media !== 'application/merge-patch+json' && media !== 'application/strategic-merge-patch+json') {
      throw badRequest(`patches of the scale subresource must be merge patches, not ${media}`);
    }
    const patch = parseJson(await readBody(r.req));
    change = (current) => applyMergePatch(scaleOf(current, mapSelector), patch) as Record<string, unknown>;
  }
  const written = await guaranteedUpdate({ ...r, info: { ...r.info, subresource: '' } }, (current) => {
    const next = JSON.parse(JSON.stringify(current)) as KubeObject;
    const scale = change(current);
    const spec = (next['spec'] ?? {}) as Record<string, unknown>;
    spec['replicas'] = replicasOf(scale);
    next['spec'] = spec;
    const rv = (scale['metadata'] as { resourceVersion?: string } | undefined)?.resourceVersion;
    next.metadata.resourceVersion = rv && r.info.verb === 'update' ? rv : undefined;
    return next;
  });
  sendJson(r.res, 200, scaleOf(written.object, mapSelector));
}
