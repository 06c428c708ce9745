// Discovery documents: legacy (APIGroupList, APIGroup, APIResourceList) and aggregated (apidiscovery.k8s.io v2 and
// v2beta1 APIGroupDiscoveryList, with ETag / If-None-Match).
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, sendRaw } from './http.js';
import { negotiateDiscovery } from './negotiate.js';
import { GROUP, GROUP_VERSION, KIND, RESOURCE, SINGULAR, VERBS, VERSION } from './types.js';

const groupVersion = { groupVersion: GROUP_VERSION, version: VERSION };

/** sha256("<group>/<version>/<kind>") of the storage version, first 8 bytes, base64 (what kube-apiserver publishes). */
export function storageVersionHash(): string {
  return createHash('sha256').update(`${GROUP_VERSION}/${KIND}`).digest().subarray(0, 8).toString('base64');
}

export function apiGroup(): object {
  return { name: GROUP, versions: [groupVersion], preferredVersion: groupVersion };
}

export function apiGroupList(): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [apiGroup()] };
}

export function apiGroupDocument(): object {
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup() };
}

export function apiResourceList(): object {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: GROUP_VERSION,
    resources: [
      {
        name: RESOURCE,
        singularName: SINGULAR,
        namespaced: true,
        kind: KIND,
        verbs: [...VERBS],
        storageVersionHash: storageVersionHash(),
      },
    ],
  };
}

export function aggregatedDiscovery(version: 'v2' | 'v2beta1'): object {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: [
      {
        metadata: { name: GROUP, creationTimestamp: null },
        versions: [
          {
            version: VERSION,
            resources: [
              {
                resource: RESOURCE,
                responseKind: { group: '', version: '', kind: KIND },
                scope: 'Namespaced',
                singularResource: SINGULAR,
                verbs: [...VERBS],
              },
            ],
            freshness: 'Current',
          },
        ],
      },
    ],
  };
}

export function aggregatedContentType(version: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/** The strong ETag value (unquoted) of a document: its SHA-512, upper-case hex, as kube-apiserver computes them. */
export function etagOf(text: string): string {
  return createHash('sha512').update(text).digest('hex').toUpperCase();
}

/** True when If-None-Match names `etag` (quoted, weak, or *). */
export function ifNoneMatch(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === `"${etag}"` || tag === `W/"${etag}"`;
  });
}

/** Path (`/apis`, `/apis/<group>`, `/apis/<group>/<version>`) → is it one of our discovery documents? */
export function isDiscoveryPath(path: string): boolean {
  return path === '/apis' || path === `/apis/${GROUP}` || path === `/apis/${GROUP_VERSION}`;
}

/** Answers a discovery request (the path must satisfy isDiscoveryPath). */
export function serveDiscovery(req: IncomingMessage, res: ServerResponse, path: string): void {
  if (path === '/apis') {
    const negotiated = negotiateDiscovery(req.headers.accept);
    if (negotiated.form === 'aggregated') {
      const text = JSON.stringify(aggregatedDiscovery(negotiated.version));
      const etag = etagOf(text);
      const headers = { 'Content-Type': aggregatedContentType(negotiated.version), ETag: `"${etag}"`, Vary: 'Accept', 'Cache-Control': 'public' };
      if (ifNoneMatch(req, etag)) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      sendRaw(res, 200, text, headers);
      return;
    }
    sendJson(res, 200, apiGroupList());
    return;
  }
  if (path === `/apis/${GROUP}`) {
    sendJson(res, 200, apiGroupDocument());
    return;
  }
  sendJson(res, 200, apiResourceList());
}
