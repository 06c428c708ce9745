// Reads request bodies with a size limit and decodes JSON or YAML into objects.
// The `yaml` package is loaded on the first YAML body only (it costs ~35 ms at startup otherwise).
import type { IncomingMessage } from 'node:http';
import { badRequest, requestEntityTooLarge, unsupportedMediaType } from '../api/errors.js';

/** Kubernetes refuses request bodies over 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the whole body; 413 past the limit (the rest is drained so the connection stays usable). */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(requestEntityTooLarge(`Request entity too large: limit is ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        reject(requestEntityTooLarge(`Request entity too large: limit is ${limit}`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => reject(badRequest(`error reading request body: ${err.message}`)));
  });
}

/** The media type of a Content-Type header, lower-cased and without parameters. */
export function mediaTypeOf(contentType: string | undefined): string {
  if (!contentType) return '';
  return contentType.split(';')[0]!.trim().toLowerCase();
}

const ACCEPTED_BODY_TYPES = 'application/json, application/yaml, application/vnd.kubernetes.protobuf';

/** Decodes a create/update body as JSON (the default) or YAML into a plain object. */
export async function decodeObjectBody(body: Buffer, contentType: string | undefined): Promise<Record<string, unknown>> {
  const media = mediaTypeOf(contentType);
  let value: unknown;
  if (media === '' || media === 'application/json' || media === '*/*') {
    value = parseJson(body);
  } else if (media === 'application/yaml' || media === 'application/x-yaml' || media === 'text/yaml') {
    value = await parseYamlBody(body);
  } else if (media === 'application/vnd.kubernetes.protobuf') {
    value = await decodeProtobufBody(body);
  } else {
    throw unsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: ${ACCEPTED_BODY_TYPES}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('the body of the request must be a JSON or YAML object');
  }
  return value as Record<string, unknown>;
}

/** Parses JSON, turning syntax errors into 400 BadRequest. */
export function parseJson(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request is empty');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`error decoding JSON body: ${(err as Error).message}`);
  }
}

let protobufModule: Promise<typeof import('../protobuf/decode.js')> | undefined;

/** Decodes a Kubernetes protobuf body (what kubectl's typed clients send) into its JSON form. */
export async function decodeProtobufBody(body: Buffer): Promise<unknown> {
  // Loaded on first use: most clients send JSON, and start-up should not pay for the schema tables.
  protobufModule ??= import('../protobuf/decode.js').catch((err: unknown) => {
    protobufModule = undefined;
    throw err;
  });
  const { decodeKubernetesProtobuf } = await protobufModule;
  return decodeKubernetesProtobuf(body);
}

type YamlModule = typeof import('yaml');

let yamlModule: Promise<YamlModule> | undefined;

/** The `yaml` package, loaded on the first YAML body (bundled, it may only offer a CommonJS default export). */
export function loadYaml(): Promise<YamlModule> {
  yamlModule ??= import('yaml').then(
    (m) => (typeof (m as Partial<YamlModule>).parse === 'function' ? m : (m as unknown as { default: YamlModule }).default),
    (err: unknown) => {
      yamlModule = undefined; // try again on the next request
      throw err;
    },
  );
  return yamlModule;
}

/** Parses YAML (one document), turning errors into 400 BadRequest. */
export async function parseYamlBody(body: Buffer | string): Promise<unknown> {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request is empty');
  const { parse } = await loadYaml();
  try {
    return parse(text, { maxAliasCount: 100 });
  } catch (err) {
    throw badRequest(`error decoding YAML body: ${(err as Error).message}`);
  }
}
