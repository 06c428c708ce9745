// The Dangling condition of every FlowSchema, as kube-apiserver's API Priority and Fairness config consumer keeps
// it: False (reason Found) while the PriorityLevelConfiguration the FlowSchema names exists, True (NotFound) when
// it does not. Written with server-side apply to the status subresource under the consumer's field manager, and
// only when status, reason or message differ, so a real cluster's FlowSchemas and kage's look alike and an
// extension API server (which runs the same consumer) finds nothing to write.
import type { KubeObject } from '../api/types.js';
import { StoreError, type StoreWatcher } from '../../storage/store.js';
import { applyConfiguration } from '../apply/apply.js';
import { groupVersionString, type ResourceDef } from '../registry/types.js';
import { goQuote } from '../registry/resources/fielderrors.js';
import type { RestServices } from '../rest/context.js';
import { listPrefix, objectKey } from '../rest/keys.js';
import { nowTimestamp, prepareForUpdate } from '../rest/strategy.js';
import type { Controller } from './namespace-lifecycle.js';

const GROUP = 'flowcontrol.apiserver.k8s.io';
/** The field manager of the APF config consumer (k8s.io/apiserver/pkg/util/flowcontrol). */
export const CONFIG_CONSUMER_FIELD_MANAGER = 'api-priority-and-fairness-config-consumer-v1';
const DANGLING = 'Dangling';
const MAX_ATTEMPTS = 8;
const RETRY_MS = 1000;

/** The condition the consumer wants on a FlowSchema naming `plName`, lastTransitionTime aside. */
export function danglingCondition(plName: string, plExists: boolean): { type: string; status: string; reason: string; message: string } {
  return plExists
    ? { type: DANGLING, status: 'False', reason: 'Found', message: `This FlowSchema references the PriorityLevelConfiguration object named ${goQuote(plName)} and it exists` }
    : { type: DANGLING, status: 'True', reason: 'NotFound', message: `This FlowSchema references the PriorityLevelConfiguration object named ${goQuote(plName)} but there is no such object` };
}

function currentDangling(fs: KubeObject): Record<string, unknown> | undefined {
  const status = fs['status'] as { conditions?: unknown } | undefined;
  const conditions = Array.isArray(status?.conditions) ? (status.conditions as unknown[]) : [];
  return conditions.find((c): c is Record<string, unknown> => typeof c === 'object' && c !== null && (c as Record<string, unknown>)['type'] === DANGLING);
}

function priorityLevelOf(fs: KubeObject): string {
  const ref = (fs['spec'] as { priorityLevelConfiguration?: { name?: unknown } } | undefined)?.priorityLevelConfiguration;
  return typeof ref?.name === 'string' ? ref.name : '';
}

/** Starts keeping the Dangling condition of every FlowSchema; the first pass runs in the background. */
export function startFlowSchemaStatus(services: RestServices): Controller {
  const { store, registry } = services;
  const fsDef = registry.find(GROUP, 'v1', 'flowschemas');
  const plDef = registry.find(GROUP, 'v1', 'prioritylevelconfigurations');
  if (!fsDef || !plDef) return { stop() {} };
  const fsPrefix = listPrefix(fsDef, '');
  const plPrefix = listPrefix(plDef, '');
  let stopped = false;
  let running = false;
  let again = false;
  let retry: NodeJS.Timeout | undefined;

  const schedule = (): void => {
    if (stopped) return;
    again = true;
    if (!running) void run();
  };

  const run = async (): Promise<void> => {
    running = true;
    try {
      while (again && !stopped) {
        again = false;
        await syncAll();
      }
    } catch (err) {
      if (!stopped && !(err instanceof StoreError && err.code === 'Closed')) {
        console.error(`kage: flowschema status: ${(err as Error).message}`);
        retry ??= setTimeout(() => { retry = undefined; schedule(); }, RETRY_MS);
      }
    } finally {
      running = false;
    }
  };

  const syncAll = async (): Promise<void> => {
    const levels = new Set((await store.list({ prefix: plPrefix })).records.map((r) => r.object.metadata.name ?? ''));
    const schemas = await store.list({ prefix: fsPrefix });
    for (const rec of schemas.records) {
      if (stopped) return;
      await sync(fsDef, rec.object.metadata.name ?? '', levels);
    }
  };

  /** Writes the wanted condition on one FlowSchema unless it is there already. */
  const sync = async (def: ResourceDef, name: string, levels: ReadonlySet<string>): Promise<void> => {
    const key = objectKey(def, '', name);
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !stopped; attempt++) {
      const current = await store.get(key);
      if (!current) return;
      const plName = priorityLevelOf(current.object);
      const wanted = danglingCondition(plName, levels.has(plName));
      const have = currentDangling(current.object);
      if (have && have['status'] === wanted.status && have['reason'] === wanted.reason && have['message'] === wanted.message) return;
      const now = new Date();
      const config: KubeObject = {
        apiVersion: groupVersionString(def), kind: def.kind, metadata: { name },
        status: { conditions: [{ type: wanted.type, status: wanted.status, lastTransitionTime: nowTimestamp(now), reason: wanted.reason, message: wanted.message }] },
      };
      const next = applyConfiguration(current.object, config, {
        schema: await def.schema(), apiVersion: groupVersionString(def), subresource: 'status', statusSubresource: true,
        manager: CONFIG_CONSUMER_FIELD_MANAGER, force: true, now,
      });
      try {
        await store.update(key, prepareForUpdate(def, next, current.object, 'status'), current.revision);
        return;
      } catch (err) {
        if (err instanceof StoreError && err.code === 'Conflict') continue;
        if (err instanceof StoreError && err.code === 'NotFound') return;
        throw err;
      }
    }
  };

  const watchers: StoreWatcher[] = [];
  const from = store.currentRevision();
  watchers.push(store.watch(fsPrefix, from, schedule));
  watchers.push(store.watch(plPrefix, from, schedule));
  // After start-up work, so kage answers its first requests without waiting for the schema.
  setImmediate(schedule);
  return {
    stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      for (const w of watchers) w.stop();
    },
  };
}
