// Builds the schema model from the one source of structure, the protobuf message table (plus the packages it
// lacks, in the same style), and the facts table of what protobuf cannot say. Built once, on first use.
// The protobuf table's packages are imported one by one, not through protobuf/schema/index.js, which compiles
// them at import: kage loads its protobuf support lazily and so does this model (schema.test.ts checks that
// the two lists agree).
import { apiregistration } from '../protobuf/schema/apiregistration.js';
import { apps } from '../protobuf/schema/apps.js';
import { authentication } from '../protobuf/schema/authentication.js';
import { authorization } from '../protobuf/schema/authorization.js';
import { autoscaling } from '../protobuf/schema/autoscaling.js';
import { coordination } from '../protobuf/schema/coordination.js';
import { core } from '../protobuf/schema/core.js';
import { events } from '../protobuf/schema/events.js';
import { meta } from '../protobuf/schema/meta.js';
import { rbac } from '../protobuf/schema/rbac.js';
import { compileSchema, type FieldDef, type MessageDef, type SchemaPackage, type ValueType } from '../protobuf/schema/types.js';
import { DESCRIPTIONS, GENERIC } from './descriptions.js';
import { FACTS } from './facts.js';
import { GROUPS, PATCH_DEFINITION, SPECIAL_DEFINITIONS, WATCH_EVENT_DEFINITION, type SchemaGroup } from './groups.js';
import { admissionregistration } from './packages/admissionregistration.js';
import { discovery } from './packages/discovery.js';
import { flowcontrol } from './packages/flowcontrol.js';
import type { GroupVersionKind, ListType, MapType, SpecialForm, TypeSchema } from './types.js';

/** The protobuf message table's packages (as server/protobuf/schema/index.ts compiles them). */
export const PROTOBUF_PACKAGES: readonly SchemaPackage[] = [
  meta, core, apps, coordination, events, apiregistration, authentication, authorization, autoscaling, rbac,
];

/** Packages the protobuf table does not have (yet): in the same style, in server/schema/packages. */
export const EXTRA_PACKAGES: readonly SchemaPackage[] = [admissionregistration, flowcontrol, discovery];

export interface SchemaModel {
  /** Every definition by OpenAPI name. */
  readonly definitions: ReadonlyMap<string, TypeSchema>;
  /** Definitions by message id ("core.PodSpec"). */
  readonly byMessage: ReadonlyMap<string, TypeSchema>;
  /** Kind definitions (list kinds included) by "group/version/Kind". */
  readonly kinds: ReadonlyMap<string, TypeSchema>;
  /** OpenAPI name of each message id. */
  readonly names: ReadonlyMap<string, string>;
}

type Mutable = { -readonly [K in keyof TypeSchema]?: TypeSchema[K] };

interface FieldFacts {
  required: boolean;
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: ListType;
  listMapKeys?: string[];
  mapType?: MapType;
}

const FACT_RE = /^(?:(req)|patch=([\w,]+)|key=(\w+)|list=(atomic|set)|list=map\(([\w,]+)\)|map=(atomic|granular))$/;

/** Parses one entry of the facts table; throws on anything it does not know (a bug in the table). */
export function parseFacts(where: string, spec: string): FieldFacts {
  const out: FieldFacts = { required: false };
  for (const word of spec.split(' ')) {
    const m = FACT_RE.exec(word);
    if (!m) throw new Error(`schema facts: ${where}: unknown word '${word}'`);
    if (m[1]) out.required = true;
    else if (m[2]) out.patchStrategy = m[2];
    else if (m[3]) out.patchMergeKey = m[3];
    else if (m[4]) out.listType = m[4] as ListType;
    else if (m[5]) {
      out.listType = 'map';
      out.listMapKeys = m[5].split(',');
    } else if (m[6]) out.mapType = m[6] as MapType;
  }
  return out;
}

function allMessages(): Map<string, MessageDef> {
  // A package the protobuf table gains later is taken from there, not from here.
  const aliases = new Set(PROTOBUF_PACKAGES.map((p) => p.alias));
  return compileSchema([...PROTOBUF_PACKAGES, ...EXTRA_PACKAGES.filter((p) => !aliases.has(p.alias))]);
}

const split = (id: string): [string, string] => {
  const dot = id.indexOf('.');
  return [id.slice(0, dot), id.slice(dot + 1)];
};

/** The fields of a message with inlined messages flattened, each with the message that declares it. */
function flatten(messages: ReadonlyMap<string, MessageDef>, def: MessageDef, out: Array<{ owner: string; field: FieldDef }> = []) {
  for (const field of [...def.fields.values()].sort((a, b) => a.number - b.number)) {
    if (field.inline) {
      const ref = (field.value as Extract<ValueType, { t: 'message' }>).ref;
      flatten(messages, messages.get(ref)!, out);
    } else {
      out.push({ owner: def.id, field });
    }
  }
  return out;
}

const SCALARS: Record<string, TypeSchema> = {
  string: { type: 'string' },
  bytes: { type: 'string', format: 'byte' },
  int32: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
  uint32: { type: 'integer', format: 'int64' },
  uint64: { type: 'integer', format: 'int64' },
  bool: { type: 'boolean' },
  double: { type: 'number', format: 'double' },
  float: { type: 'number', format: 'double' },
};

const SPECIAL_SCHEMAS: Record<SpecialForm, Mutable> = {
  time: { type: 'string', format: 'date-time', description: 'A timestamp in RFC 3339 form, to the second, in UTC.' },
  microtime: { type: 'string', format: 'date-time', description: 'A timestamp in RFC 3339 form with microseconds.' },
  duration: { type: 'string', description: 'A duration as Go writes it, e.g. "1h2m3.5s".' },
  quantity: {
    description:
      'A fixed-point amount with a unit suffix, e.g. "100m" (0.1), "128Mi" or "2Gi"; a plain number is accepted too.',
  },
  intorstring: { format: 'int-or-string', description: 'Either an integer or a string (e.g. a port number or name, or "25%").' },
  fieldsv1: { type: 'object', description: 'A set of fields, as server-side apply tracks them, encoded as a JSON object.' },
  raw: { type: 'object', description: 'An embedded object of any kind, as JSON.' },
};

/** Builds the model; pure, deterministic, and only ever called once (see schema/index.ts). */
export function buildModel(): SchemaModel {
  const messages = allMessages();
  const groupByAlias = new Map<string, SchemaGroup>(GROUPS.map((g) => [g.alias, g]));
  const names = new Map<string, string>();
  for (const id of messages.keys()) {
    const [alias, name] = split(id);
    const group = groupByAlias.get(alias);
    if (!group) throw new Error(`schema: no OpenAPI prefix for package '${alias}' (message ${id})`);
    names.set(id, `${group.prefix}.${name}`);
  }

  const definitions = new Map<string, Mutable>();
  const byMessage = new Map<string, Mutable>();
  const nodes: Mutable[] = [];
  const node = (n: Mutable): Mutable => {
    nodes.push(n);
    return n;
  };

  for (const [form, schema] of Object.entries(SPECIAL_SCHEMAS) as Array<[SpecialForm, Mutable]>) {
    const name = SPECIAL_DEFINITIONS[form];
    definitions.set(name, node({ ...schema, ref: name, special: form }));
  }

  // 1. One definition per message, with empty property records that step 2 fills (types may recurse).
  const entries = new Map<string, Array<[string, TypeSchema]>>();
  const requiredOf = new Map<string, string[]>();
  for (const id of messages.keys()) {
    const [alias, name] = split(id);
    const facts = FACTS[alias]?.[name];
    const def = node({ type: 'object', ref: names.get(id)! });
    const description = DESCRIPTIONS[id];
    if (description) def.description = description;
    def.properties = {};
    const required: string[] = [];
    def.required = required;
    requiredOf.set(id, required);
    if (facts?.['struct$'] === 'atomic') def.mapType = 'atomic';
    definitions.set(def.ref!, def);
    byMessage.set(id, def);
    entries.set(id, []);
  }
  // The facts table may only speak of messages and fields that exist.
  for (const [alias, msgs] of Object.entries(FACTS)) {
    for (const [name, fields] of Object.entries(msgs)) {
      const msg = messages.get(`${alias}.${name}`);
      if (!msg) throw new Error(`schema facts: no message ${alias}.${name}`);
      const jsonNames = new Set([...msg.fields.values()].map((f) => f.json));
      for (const field of Object.keys(fields)) {
        if (field !== 'struct$' && !jsonNames.has(field)) throw new Error(`schema facts: ${alias}.${name} has no field ${field}`);
      }
    }
  }

  /** A node standing for a definition: shares its structure; field-level facts get added by the caller. */
  const refTo = (target: Mutable): Mutable => {
    const n: Mutable = { ref: target.ref! };
    if (target.type) n.type = target.type;
    if (target.format) n.format = target.format;
    if (target.properties) n.properties = target.properties;
    if (target.required) n.required = target.required;
    if (target.mapType) n.mapType = target.mapType;
    if (target.special) n.special = target.special;
    return node(n);
  };
  const valueNode = (v: ValueType): Mutable => {
    if (v.t === 'scalar') return node({ ...SCALARS[v.scalar] });
    if (v.t === 'special') {
      if (v.special === 'stringlist') return node({ type: 'array', items: node({ type: 'string' }) });
      return refTo(definitions.get(SPECIAL_DEFINITIONS[v.special])!);
    }
    return refTo(byMessage.get(v.ref)!);
  };

  // 2. Fields.
  for (const [id, def] of messages) {
    const list = entries.get(id)!;
    const required = requiredOf.get(id)!;
    const seen = new Set<string>();
    for (const { owner, field } of flatten(messages, def)) {
      if (seen.has(field.json)) throw new Error(`schema: ${id} has two fields named ${field.json}`);
      seen.add(field.json);
      const [ownerAlias, ownerName] = split(owner);
      const spec = FACTS[ownerAlias]?.[ownerName]?.[field.json];
      const facts = spec ? parseFacts(`${owner}.${field.json}`, spec) : { required: false };
      let n: Mutable;
      if (field.repeated) n = node({ type: 'array', items: valueNode(field.value) });
      else if (field.mapKey !== undefined) n = node({ type: 'object', additionalProperties: valueNode(field.value) });
      else n = valueNode(field.value);
      const description = DESCRIPTIONS[`${owner}.${field.json}`];
      if (description) n.description = description;
      if (facts.patchStrategy) n.patchStrategy = facts.patchStrategy;
      if (facts.patchMergeKey) n.patchMergeKey = facts.patchMergeKey;
      if (facts.listType) {
        if (n.type !== 'array' && n.format !== 'byte') {
          throw new Error(`schema facts: ${owner}.${field.json} has a list type but is no list`);
        }
        n.listType = facts.listType;
      }
      if (facts.listMapKeys) n.listMapKeys = facts.listMapKeys;
      if (facts.mapType) {
        if (field.mapKey === undefined) throw new Error(`schema facts: ${owner}.${field.json} has a map type but is no map`);
        n.mapType = facts.mapType;
      }
      if (facts.required) required.push(field.json);
      list.push([field.json, n]);
    }
  }

  // 3. Kinds: apiVersion and kind fields, generic texts, group/version/kind; list kinds beside them.
  const kinds = new Map<string, Mutable>();
  const typeMetaFields = (list: Array<[string, TypeSchema]>) => {
    list.push(['apiVersion', node({ type: 'string', description: GENERIC.apiVersion })]);
    list.push(['kind', node({ type: 'string', description: GENERIC.kind })]);
  };
  const generic = (id: string, field: string, text: string) => {
    const n = entries.get(id)!.find(([k]) => k === field)?.[1] as Mutable | undefined;
    if (n && !n.description) n.description = text;
  };
  const served: Array<{ group: string; version: string }> = [];
  for (const g of GROUPS) {
    if (g.kinds.length > 0) served.push({ group: g.group, version: g.version });
    for (const kind of g.kinds) {
      const id = `${g.alias}.${kind}`;
      const def = byMessage.get(id);
      if (!def) throw new Error(`schema: kind ${g.group}/${g.version} ${kind} has no message ${id}`);
      const list = entries.get(id)!;
      typeMetaFields(list);
      generic(id, 'metadata', GENERIC.metadata);
      generic(id, 'spec', GENERIC.spec.replace('%s', kind));
      generic(id, 'status', GENERIC.status.replace('%s', kind));
      def.gvk = [{ group: g.group, version: g.version, kind }];
      kinds.set(`${g.group}/${g.version}/${kind}`, def);
      if (g.unlisted?.includes(kind)) continue;
      const listName = `${def.ref}List`;
      const listDef = node({
        type: 'object',
        ref: listName,
        description: GENERIC.list.replace('%s', kind),
        properties: {},
        required: ['items'],
        gvk: [{ group: g.group, version: g.version, kind: `${kind}List` }],
      });
      const listEntries: Array<[string, TypeSchema]> = [];
      typeMetaFields(listEntries);
      listEntries.push(['items', node({ type: 'array', items: refTo(def), description: GENERIC.listItems.replace('%s', kind) })]);
      listEntries.push(['metadata', node({ ...refTo(byMessage.get('meta.ListMeta')!), description: GENERIC.listMetadata })]);
      Object.assign(listDef.properties!, Object.fromEntries(listEntries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
      definitions.set(listName, listDef);
      kinds.set(`${g.group}/${g.version}/${kind}List`, listDef);
    }
  }
  // Status is a v1 kind; DeleteOptions is registered in every group version.
  const status = byMessage.get('meta.Status')!;
  typeMetaFields(entries.get('meta.Status')!);
  status.gvk = [{ group: '', version: 'v1', kind: 'Status' }];
  const deleteOptions = byMessage.get('meta.DeleteOptions')!;
  typeMetaFields(entries.get('meta.DeleteOptions')!);
  deleteOptions.gvk = [...served, { group: 'meta.k8s.io', version: 'v1' }].map(
    (gv): GroupVersionKind => ({ ...gv, kind: 'DeleteOptions' }),
  );
  for (const gv of deleteOptions.gvk) kinds.set(`${gv.group}/${gv.version}/DeleteOptions`, deleteOptions);
  kinds.set('/v1/Status', status);

  // meta/v1 types that only exist in requests and responses.
  definitions.set(PATCH_DEFINITION, node({ type: 'object', ref: PATCH_DEFINITION, description: DESCRIPTIONS['meta.Patch']! }));
  const watchEvent = node({
    type: 'object',
    ref: WATCH_EVENT_DEFINITION,
    description: DESCRIPTIONS['meta.WatchEvent']!,
    required: ['object', 'type'],
    properties: {
      object: node({
        ...refTo(definitions.get(SPECIAL_DEFINITIONS.raw)!),
        description:
          'The object: its new state for ADDED and MODIFIED, its last state for DELETED, only its resourceVersion ' +
          'for BOOKMARK, a Status for ERROR.',
      }),
      type: node({ type: 'string', description: 'ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.' }),
    },
    gvk: served.map((gv) => ({ ...gv, kind: 'WatchEvent' })),
  });
  definitions.set(WATCH_EVENT_DEFINITION, watchEvent);

  // 4. Properties in key order, required sorted; then everything frozen.
  for (const [id, list] of entries) {
    const def = byMessage.get(id)!;
    list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    Object.assign(def.properties!, Object.fromEntries(list));
    requiredOf.get(id)!.sort();
  }
  for (const n of nodes) {
    if (n.properties) Object.freeze(n.properties);
    if (n.required) Object.freeze(n.required);
    if (n.listMapKeys) Object.freeze(n.listMapKeys);
    if (n.gvk) Object.freeze(n.gvk);
    Object.freeze(n);
  }
  return {
    definitions: definitions as ReadonlyMap<string, TypeSchema>,
    byMessage: byMessage as ReadonlyMap<string, TypeSchema>,
    kinds: kinds as ReadonlyMap<string, TypeSchema>,
    names,
  };
}
