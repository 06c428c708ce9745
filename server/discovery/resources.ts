// Registry rows as discovery entries: legacy APIResource rows and aggregated APIResourceDiscovery ones.
import { createHash } from 'node:crypto';
import type { Registry } from '../registry/registry.js';
import type { ResourceDef, SubresourceDef } from '../registry/types.js';
import { compareKubeAwareVersions, priorityOf } from './priorities.js';
import type { APIResource, APIResourceDiscovery, APISubresourceDiscovery, GroupVersionKind } from './types.js';

/** Byte-wise string order (Go's sort.Strings on ASCII names). */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Verbs as discovery lists them: sorted, without duplicates. */
export function sortedVerbs(verbs: readonly string[]): string[] {
  return [...new Set(verbs)].sort(byName);
}

/**
 * storageVersionHash: base64 of the first 8 bytes of sha256("<group>/<version>/<kind>") of the version
 * objects are stored in. It only tells clients whether storage versions changed; it is not meant to be decoded.
 */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

// Kinds stored in another group than they are served from (kube-apiserver's storage choices).
const STORED_ELSEWHERE: Record<string, { group: string; version: string; kind: string }> = {
  'events.k8s.io/Event': { group: '', version: 'v1', kind: 'Event' },
};

/**
 * The group/version/kind objects of a row are stored as: a few kinds live in another group (events.k8s.io
 * Events are core v1 Events); otherwise the version of the row's group that serves the same kind with the
 * highest priority (autoscaling/v1 HorizontalPodAutoscalers are stored as autoscaling/v2).
 */
export function storageGroupVersionKind(row: ResourceDef, registry?: Registry): { group: string; version: string; kind: string } {
  const elsewhere = STORED_ELSEWHERE[`${row.group}/${row.kind}`];
  if (elsewhere) return elsewhere;
  let version = row.version;
  if (registry) {
    for (const other of registry.all()) {
      if (other.group !== row.group || other.kind !== row.kind || other.version === version) continue;
      const a = priorityOf(row.group, other.version).version;
      const b = priorityOf(row.group, version).version;
      if (a > b || (a === b && compareKubeAwareVersions(other.version, version) > 0)) version = other.version;
    }
  }
  return { group: row.group, version, kind: row.kind };
}

function uniqueSubresources(row: ResourceDef): SubresourceDef[] {
  const seen = new Set<string>();
  const out: SubresourceDef[] = [];
  for (const s of row.subresources) {
    if (seen.has(s.name)) continue;
    seen.add(s.name);
    out.push(s);
  }
  return out.sort((a, b) => byName(a.name, b.name));
}

/** The group/version a subresource answers in when it differs from its parent's (Scale is autoscaling/v1). */
function foreignGroupVersion(row: ResourceDef, s: SubresourceDef): { group: string; version: string } | undefined {
  const group = s.group ?? row.group;
  const version = s.version ?? row.version;
  return group !== row.group || version !== row.version ? { group, version } : undefined;
}

/**
 * The APIResource entries of one group version's rows: each resource and each "resource/subresource",
 * sorted by name as kube-apiserver lists them (so a resource is followed by its subresources).
 */
export function apiResourcesOf(rows: readonly ResourceDef[], registry?: Registry): APIResource[] {
  const out: APIResource[] = [];
  for (const row of rows) {
    const r: APIResource = { name: row.plural, singularName: row.singular, namespaced: row.namespaced, kind: row.kind, verbs: sortedVerbs(row.verbs) };
    if (row.shortNames.length) r.shortNames = [...row.shortNames];
    if (row.categories.length) r.categories = [...row.categories];
    const s = storageGroupVersionKind(row, registry);
    r.storageVersionHash = storageVersionHash(s.group, s.version, s.kind);
    out.push(r);
    for (const sub of uniqueSubresources(row)) {
      // Key order matters to humans diffing against a real server: group and version sit before kind.
      out.push({
        name: `${row.plural}/${sub.name}`,
        singularName: '',
        namespaced: row.namespaced,
        ...foreignGroupVersion(row, sub),
        kind: sub.kind,
        verbs: sortedVerbs(sub.verbs),
      });
    }
  }
  return out.sort((a, b) => byName(a.name, b.name));
}

function responseKind(row: ResourceDef, kind: string, foreign?: { group: string; version: string }): GroupVersionKind {
  return foreign ? { group: foreign.group, version: foreign.version, kind } : { group: '', version: '', kind };
}

/** The aggregated discovery entries of one group version's rows, sorted by resource, subresources nested. */
export function resourceDiscoveryOf(rows: readonly ResourceDef[]): APIResourceDiscovery[] {
  const sorted = [...rows].sort((a, b) => byName(a.plural, b.plural));
  return sorted.map((row) => {
    const r: APIResourceDiscovery = {
      resource: row.plural,
      responseKind: responseKind(row, row.kind),
      scope: row.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: row.singular,
      verbs: sortedVerbs(row.verbs),
    };
    if (row.shortNames.length) r.shortNames = [...row.shortNames];
    if (row.categories.length) r.categories = [...row.categories];
    const subs = uniqueSubresources(row);
    if (subs.length) {
      r.subresources = subs.map(
        (s): APISubresourceDiscovery => ({
          subresource: s.name,
          responseKind: responseKind(row, s.kind, foreignGroupVersion(row, s)),
          verbs: sortedVerbs(s.verbs),
        }),
      );
    }
    return r;
  });
}
