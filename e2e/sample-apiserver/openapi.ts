// OpenAPI: /openapi/v3 (index with hashed serverRelativeURLs) and /openapi/v3/apis/wardle.example.com/v1alpha1 (a small
// OpenAPI 3.0 document). /openapi/v2 is not served (404).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { etagOf, ifNoneMatch } from './discovery.js';
import { sendRaw, sendText } from './http.js';
import { GROUP, GROUP_VERSION, KIND, LIST_KIND, RESOURCE, VERSION } from './types.js';

const GVK = [{ group: GROUP, kind: KIND, version: VERSION }];
const SCHEMA = 'com.example.wardle.v1alpha1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

function jsonResponse(schema: string, description = 'OK'): object {
  return { description, content: { 'application/json': { schema: { allOf: [ref(schema)] } } } };
}

function nsParam(): object {
  return { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, schema: { type: 'string', uniqueItems: true } };
}

function nameParam(): object {
  return { name: 'name', in: 'path', description: `name of the ${KIND}`, required: true, schema: { type: 'string', uniqueItems: true } };
}

function operation(action: string, id: string, responses: Record<string, object>, extra: object = {}): object {
  return {
    tags: [`wardle_${VERSION}`],
    description: `${action} ${KIND}`,
    operationId: id,
    responses: { ...responses, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': action.split(' ')[0]!.toLowerCase(),
    'x-kubernetes-group-version-kind': GVK[0],
    ...extra,
  };
}

function buildDocument(): object {
  const base = `/apis/${GROUP_VERSION}`;
  const body = { content: { 'application/json': { schema: ref(`${SCHEMA}.${KIND}`) } }, required: true };
  const patchBody = {
    content: {
      'application/json-patch+json': { schema: ref(`${META}.Patch`) },
      'application/merge-patch+json': { schema: ref(`${META}.Patch`) },
      'application/strategic-merge-patch+json': { schema: ref(`${META}.Patch`) },
    },
    required: true,
  };
  return {
    openapi: '3.0.0',
    info: { title: 'Wardle sample extension API server (kage e2e)', version: VERSION },
    paths: {
      [`${base}/${RESOURCE}`]: {
        get: operation('list', 'listWardleV1alpha1FlunderForAllNamespaces', { '200': jsonResponse(`${SCHEMA}.${LIST_KIND}`) }),
      },
      [`${base}/namespaces/{namespace}/${RESOURCE}`]: {
        parameters: [nsParam()],
        get: operation('list', 'listWardleV1alpha1NamespacedFlunder', { '200': jsonResponse(`${SCHEMA}.${LIST_KIND}`) }),
        post: operation('post', 'createWardleV1alpha1NamespacedFlunder', { '201': jsonResponse(`${SCHEMA}.${KIND}`, 'Created') }, { requestBody: body }),
        delete: operation('deletecollection', 'deleteWardleV1alpha1CollectionNamespacedFlunder', { '200': jsonResponse(`${SCHEMA}.${LIST_KIND}`) }),
      },
      [`${base}/namespaces/{namespace}/${RESOURCE}/{name}`]: {
        parameters: [nsParam(), nameParam()],
        get: operation('get', 'readWardleV1alpha1NamespacedFlunder', { '200': jsonResponse(`${SCHEMA}.${KIND}`) }),
        put: operation('put', 'replaceWardleV1alpha1NamespacedFlunder', { '200': jsonResponse(`${SCHEMA}.${KIND}`) }, { requestBody: body }),
        patch: operation('patch', 'patchWardleV1alpha1NamespacedFlunder', { '200': jsonResponse(`${SCHEMA}.${KIND}`) }, { requestBody: patchBody }),
        delete: operation('delete', 'deleteWardleV1alpha1NamespacedFlunder', { '200': jsonResponse(`${META}.Status`) }),
      },
    },
    components: {
      schemas: {
        [`${SCHEMA}.${KIND}`]: {
          type: 'object',
          properties: {
            apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
            kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
            metadata: { default: {}, allOf: [ref(`${META}.ObjectMeta`)] },
            spec: { default: {}, allOf: [ref(`${SCHEMA}.FlunderSpec`)] },
            status: { default: {}, allOf: [ref(`${SCHEMA}.FlunderStatus`)] },
          },
          'x-kubernetes-group-version-kind': GVK,
        },
        [`${SCHEMA}.${LIST_KIND}`]: {
          type: 'object',
          required: ['items'],
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            metadata: { default: {}, allOf: [ref(`${META}.ListMeta`)] },
            items: { type: 'array', items: { default: {}, allOf: [ref(`${SCHEMA}.${KIND}`)] } },
          },
          'x-kubernetes-group-version-kind': [{ group: GROUP, kind: LIST_KIND, version: VERSION }],
        },
        [`${SCHEMA}.FlunderSpec`]: {
          type: 'object',
          properties: {
            reference: { type: 'string', description: 'A name of another flunder or fischer, depending on the reference type.' },
            referenceType: { type: 'string', description: 'The reference type, defaults to "Flunder" if reference is set.', enum: ['Flunder', 'Fischer'] },
          },
        },
        [`${SCHEMA}.FlunderStatus`]: { type: 'object' },
        [`${META}.ObjectMeta`]: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            generateName: { type: 'string' },
            namespace: { type: 'string' },
            uid: { type: 'string' },
            resourceVersion: { type: 'string' },
            creationTimestamp: { type: 'string', format: 'date-time' },
            deletionTimestamp: { type: 'string', format: 'date-time' },
            labels: { type: 'object', additionalProperties: { type: 'string', default: '' } },
            annotations: { type: 'object', additionalProperties: { type: 'string', default: '' } },
            finalizers: { type: 'array', items: { type: 'string', default: '' } },
          },
        },
        [`${META}.ListMeta`]: {
          type: 'object',
          properties: { resourceVersion: { type: 'string' }, continue: { type: 'string' }, remainingItemCount: { type: 'integer', format: 'int64' } },
        },
        [`${META}.Status`]: {
          type: 'object',
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            status: { type: 'string' },
            message: { type: 'string' },
            reason: { type: 'string' },
            code: { type: 'integer', format: 'int32' },
          },
          'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
        },
        [`${META}.Patch`]: { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
      },
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
  };
}

export const OPENAPI_V3_PATH = `/openapi/v3/apis/${GROUP_VERSION}`;

export class OpenApi {
  readonly documentText = JSON.stringify(buildDocument());
  readonly hash = etagOf(this.documentText);
  readonly lastModified = new Date().toUTCString();

  indexText(): string {
    return JSON.stringify({ paths: { [`apis/${GROUP_VERSION}`]: { serverRelativeURL: `${OPENAPI_V3_PATH}?hash=${this.hash}` } } });
  }

  /** Handles /openapi/v2, /openapi/v3 and /openapi/v3/<gv>; returns false for other paths. */
  serve(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): boolean {
    if (path === '/openapi/v3' || path === '/openapi/v3/') {
      sendRaw(res, 200, this.indexText(), {
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-cache, private',
        'Last-Modified': this.lastModified,
      });
      return true;
    }
    if (path === OPENAPI_V3_PATH) {
      const hash = query.get('hash');
      if (hash !== null && hash !== this.hash) {
        res.writeHead(301, { Location: `${OPENAPI_V3_PATH}?hash=${this.hash}`, 'Content-Length': '0' });
        res.end();
        return true;
      }
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        ETag: `"${this.hash}"`,
        Vary: 'Accept',
        'Last-Modified': this.lastModified,
        'Cache-Control': hash !== null ? 'public, immutable' : 'no-cache, private',
      };
      if (hash !== null) headers['Expires'] = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
      if (ifNoneMatch(req, this.hash)) {
        res.writeHead(304, headers);
        res.end();
        return true;
      }
      sendRaw(res, 200, this.documentText, headers);
      return true;
    }
    if (path === '/openapi/v2' || path.startsWith('/openapi/')) {
      sendText(res, 404, '404 page not found\n');
      return true;
    }
    return false;
  }
}
