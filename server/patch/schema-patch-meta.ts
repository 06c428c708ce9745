// Patch metadata for strategic merge patch, read from the schema model (server/schema).
import type { TypeSchema } from '../schema/types.js';
import { noStrategyPatchMeta, type PatchMeta, type PatchMetaLookup } from './patch-meta.js';

function metaOf(node: TypeSchema | undefined): PatchMeta {
  if (!node) return { freeForm: true };
  const meta: PatchMeta = {};
  if (node.patchStrategy) meta.patchStrategy = node.patchStrategy;
  if (node.patchMergeKey) meta.patchMergeKey = node.patchMergeKey;
  if (node.listType) meta.listType = node.listType;
  if (node.listMapKeys) meta.listMapKeys = [...node.listMapKeys];
  // Values of any shape (RawExtension, FieldsV1, int-or-string, quantities) may change kind freely.
  if (node.type === undefined || node.special === 'raw' || node.special === 'fieldsv1') meta.freeForm = true;
  return meta;
}

/** A PatchMetaLookup walking `schema`; fields the schema does not know behave like a JSON merge patch. */
export function patchMetaFromSchema(schema: TypeSchema | undefined): PatchMetaLookup {
  if (!schema) return noStrategyPatchMeta;
  return {
    field(name: string) {
      // Own properties only: "__proto__" or "constructor" must never reach Object.prototype.
      const props = schema.properties;
      const child = props && Object.hasOwn(props, name) ? props[name] : schema.additionalProperties;
      return { meta: metaOf(child), child: patchMetaFromSchema(child) };
    },
    elem() {
      return patchMetaFromSchema(schema.items ?? schema.additionalProperties);
    },
  };
}
