// The schema model, loaded on first use: start-up should not pay for the tables behind it.
type SchemaModule = typeof import('./index.js');

let loading: Promise<SchemaModule> | undefined;

/** The schema module (server/schema/index.ts), imported once. */
export function loadSchemaModule(): Promise<SchemaModule> {
  loading ??= import('./index.js').catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}
