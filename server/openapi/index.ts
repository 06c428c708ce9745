// kage's OpenAPI: documents built from the schema model and the registry, and the handler serving them.
// kage itself imports createOpenAPIHandler from ./handler.js, which loads the rest on first use; importing
// this index loads everything at once (fine for tests and tools, not for startup).
export {
  acceptsJson,
  createOpenAPIHandler,
  ifNoneMatch,
  negotiateV2,
  oneYearLater,
  OPENAPI_V2_PATH,
  OPENAPI_V2_PROTOBUF,
  OPENAPI_V2_PROTOBUF_LEGACY,
  OPENAPI_V3_PREFIX,
  OPENAPI_V3_PROTOBUF,
  type OpenAPIHandler,
  type OpenAPIHandlerOptions,
} from './handler.js';
export {
  buildDocuments,
  openAPIV2Document,
  openAPIV3Document,
  openAPIV3Index,
  type BuiltDocument,
  type BuiltDocuments,
  type DocumentOptions,
} from './documents.js';
export { encodeOpenAPIV2 } from './protobuf-v2.js';
export { closure, emitDefinition, emitNode, type OpenAPIVersion } from './emit.js';
export {
  groupVersionIndexPath,
  operationGroupVersion,
  operationTag,
  PARAMS,
  PATCH_MEDIA_TYPES,
  pathItems,
  type Operation,
  type Param,
  type PathItem,
} from './operations.js';
