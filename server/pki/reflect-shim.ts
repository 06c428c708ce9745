// A minimal stand-in for the `reflect-metadata` polyfill.
//
// @peculiar/x509 registers its algorithm classes with tsyringe, and tsyringe refuses to load
// unless `Reflect.getMetadata` exists. The library itself only uses class decorators without
// parameter metadata, so a small WeakMap-backed implementation of the metadata functions is
// enough; we install it only when no real polyfill is present. Import this module before
// `@peculiar/x509` (server/pki/x509.ts does that for you).

type MetadataKey = unknown;
type PropertyKey_ = string | symbol | undefined;

const store = new WeakMap<object, Map<PropertyKey_, Map<MetadataKey, unknown>>>();

function table(target: object, property: PropertyKey_, create: boolean): Map<MetadataKey, unknown> | undefined {
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let entries = byProperty.get(property);
  if (!entries) {
    if (!create) return undefined;
    entries = new Map();
    byProperty.set(property, entries);
  }
  return entries;
}

function defineMetadata(key: MetadataKey, value: unknown, target: object, property?: PropertyKey_): void {
  table(target, property, true)!.set(key, value);
}

function getOwnMetadata(key: MetadataKey, target: object, property?: PropertyKey_): unknown {
  return table(target, property, false)?.get(key);
}

function hasOwnMetadata(key: MetadataKey, target: object, property?: PropertyKey_): boolean {
  return table(target, property, false)?.has(key) ?? false;
}

function getMetadata(key: MetadataKey, target: object, property?: PropertyKey_): unknown {
  for (let o: object | null = target; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const entries = table(o, property, false);
    if (entries?.has(key)) return entries.get(key);
  }
  return undefined;
}

function hasMetadata(key: MetadataKey, target: object, property?: PropertyKey_): boolean {
  for (let o: object | null = target; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    if (table(o, property, false)?.has(key)) return true;
  }
  return false;
}

function metadata(key: MetadataKey, value: unknown) {
  return (target: object, property?: PropertyKey_): void => defineMetadata(key, value, target, property);
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect['getMetadata'] !== 'function') {
  Object.assign(reflect, {
    defineMetadata,
    getOwnMetadata,
    hasOwnMetadata,
    getMetadata,
    hasMetadata,
    metadata,
  });
}

export {};
