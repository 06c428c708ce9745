// Small registry rows for the discovery tests, and access to the captured responses of a real 1.32 server.
// (Named *.test.ts so builds leave it out; it holds no tests itself.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from '../registry/registry.js';
import { ALL_VERBS, type ResourceDef } from '../registry/types.js';

import { REFERENCE_DIR } from '../../e2e/reference.js';

/** Options for tests that need the captured responses (kept so call sites read the same; never skips). */
export const needsReference = {};

export function reference(name: string): string {
  return readFileSync(join(REFERENCE_DIR, name), 'utf8');
}

export function referenceJson<T = any>(name: string): T {
  return JSON.parse(reference(name)) as T;
}

/** A row with every field a discovery test does not care about filled in. */
export function row(r: Partial<ResourceDef> & Pick<ResourceDef, 'group' | 'version' | 'kind' | 'plural' | 'singular' | 'namespaced'>): ResourceDef {
  return {
    listKind: `${r.kind}List`,
    shortNames: [],
    categories: [],
    verbs: [...ALL_VERBS],
    subresources: [],
    nameRule: 'dns1123-subdomain',
    generation: false,
    columns: [],
    fieldSelectors: {},
    schema: () => Promise.resolve(undefined),
    ...r,
  } as ResourceDef;
}

const STATUS_VERBS: ResourceDef['verbs'] = ['get', 'patch', 'update'];

export const configmaps = row({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true, shortNames: ['cm'] });

export const namespaces = row({
  group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false, shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [
    { name: 'status', kind: 'Namespace', verbs: STATUS_VERBS },
  ],
});

export const pods = row({
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ['all'],
  // Deliberately unsorted: discovery sorts verbs.
  verbs: ['watch', 'get', 'list', 'create', 'update', 'patch', 'delete', 'deletecollection'],
  subresources: [{ name: 'status', kind: 'Pod', verbs: ['update', 'get', 'patch'] }],
});

export const deployments = row({
  group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true,
  shortNames: ['deploy'], categories: ['all'], generation: true,
  subresources: [
    { name: 'status', kind: 'Deployment', verbs: STATUS_VERBS },
    { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: STATUS_VERBS },
  ],
});

export const apiservices = row({
  group: 'apiregistration.k8s.io', version: 'v1', kind: 'APIService', plural: 'apiservices', singular: 'apiservice',
  namespaced: false, categories: ['api-extensions'], nameRule: 'apiservice',
  subresources: [{ name: 'status', kind: 'APIService', verbs: STATUS_VERBS }],
});

export function fixtureRegistry(): Registry {
  return new Registry([configmaps, namespaces, pods, deployments, apiservices]);
}

