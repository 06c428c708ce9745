// --kubeconfig: like a k8s.io/apiserver server, read the front-proxy settings from the main API server's
// kube-system/extension-apiserver-authentication ConfigMap:
//   requestheader-client-ca-file        PEM bundle
//   requestheader-allowed-names         JSON list (e.g. ["front-proxy-client"]; [] = any name)
//   requestheader-username-headers      JSON list (e.g. ["X-Remote-User"])
//   requestheader-uid-headers           JSON list (optional)
//   requestheader-group-headers         JSON list
//   requestheader-extra-headers-prefix  JSON list
// (Plain comma-separated values are accepted too.)
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const AUTH_CONFIGMAP_PATH = '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication';

export interface ExtensionAuthConfig {
  clientCaPem: string;
  allowedNames?: string[];
  usernameHeaders?: string[];
  uidHeaders?: string[];
  groupHeaders?: string[];
  extraHeaderPrefixes?: string[];
}

interface Connection {
  server: string;
  ca?: string;
  insecure: boolean;
  token?: string;
  cert?: string;
  key?: string;
}

type Dict = Record<string, unknown>;

function asDict(v: unknown): Dict {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Dict) : {};
}

function named(list: unknown, name: string, what: string): Dict {
  if (Array.isArray(list)) {
    for (const entry of list) {
      const e = asDict(entry);
      if (e['name'] === name) return asDict(e[what]);
    }
  }
  throw new Error(`${what} ${JSON.stringify(name)} not found in the kubeconfig`);
}

async function dataOrFile(data: unknown, file: unknown, base: string): Promise<string | undefined> {
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64').toString('utf8');
  if (typeof file === 'string' && file !== '') return readFile(resolve(base, file), 'utf8');
  return undefined;
}

/** The current context's server, CA and credentials (token, token file or client certificate). */
export async function loadKubeconfig(path: string): Promise<Connection> {
  const doc = asDict(parseYaml(await readFile(path, 'utf8')));
  const base = dirname(resolve(path));
  const contextName = doc['current-context'];
  if (typeof contextName !== 'string' || contextName === '') throw new Error('the kubeconfig has no current-context');
  const context = named(doc['contexts'], contextName, 'context');
  const cluster = named(doc['clusters'], String(context['cluster'] ?? ''), 'cluster');
  const user = context['user'] ? named(doc['users'], String(context['user']), 'user') : {};
  const server = cluster['server'];
  if (typeof server !== 'string' || server === '') throw new Error(`cluster ${String(context['cluster'])} has no server`);
  const conn: Connection = { server, insecure: cluster['insecure-skip-tls-verify'] === true };
  conn.ca = await dataOrFile(cluster['certificate-authority-data'], cluster['certificate-authority'], base);
  if (typeof user['token'] === 'string' && user['token'] !== '') conn.token = user['token'];
  else if (typeof user['tokenFile'] === 'string') conn.token = (await readFile(resolve(base, user['tokenFile']), 'utf8')).trim();
  conn.cert = await dataOrFile(user['client-certificate-data'], user['client-certificate'], base);
  conn.key = await dataOrFile(user['client-key-data'], user['client-key'], base);
  return conn;
}

function getJson(conn: Connection, path: string, timeoutMs: number): Promise<unknown> {
  const url = new URL(`${new URL(conn.server).href.replace(/\/$/, '')}${path}`);
  return new Promise((resolveP, reject) => {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'sample-apiserver (kage e2e)' };
    if (conn.token) headers['Authorization'] = `Bearer ${conn.token}`;
    const options = {
      method: 'GET',
      headers,
      timeout: timeoutMs,
      ca: conn.ca,
      cert: conn.cert,
      key: conn.key,
      rejectUnauthorized: !conn.insecure,
      agent: false as const,
    };
    const req = (url.protocol === 'http:' ? httpRequest : httpsRequest)(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${url.href}: HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
          return;
        }
        try {
          resolveP(JSON.parse(text));
        } catch (err) {
          reject(new Error(`GET ${url.href}: invalid JSON: ${(err as Error).message}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url.href}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** A ConfigMap list value: a JSON array of strings, or a comma-separated list. undefined when absent. */
export function parseListValue(v: unknown): string[] | undefined {
  if (typeof v !== 'string') return undefined;
  const text = v.trim();
  if (text.startsWith('[')) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new Error(`not a list of strings: ${text}`);
    return parsed as string[];
  }
  return text === '' ? [] : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Fetches and interprets the extension-apiserver-authentication ConfigMap. */
export async function fetchExtensionAuthConfig(kubeconfigPath: string, timeoutMs = 10_000): Promise<ExtensionAuthConfig> {
  const conn = await loadKubeconfig(kubeconfigPath);
  const cm = asDict(await getJson(conn, AUTH_CONFIGMAP_PATH, timeoutMs));
  const data = asDict(cm['data']);
  const ca = data['requestheader-client-ca-file'];
  if (typeof ca !== 'string' || !ca.includes('BEGIN CERTIFICATE')) {
    throw new Error('the extension-apiserver-authentication ConfigMap has no requestheader-client-ca-file');
  }
  return {
    clientCaPem: ca,
    allowedNames: parseListValue(data['requestheader-allowed-names']),
    usernameHeaders: parseListValue(data['requestheader-username-headers']),
    uidHeaders: parseListValue(data['requestheader-uid-headers']),
    groupHeaders: parseListValue(data['requestheader-group-headers']),
    extraHeaderPrefixes: parseListValue(data['requestheader-extra-headers-prefix']),
  };
}
