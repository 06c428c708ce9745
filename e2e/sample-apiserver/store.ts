// The in-memory flunder store: objects by namespace/name, one monotonic resourceVersion counter, a bounded history
// of change events (for watches that resume from a resourceVersion) and live change listeners.
//
// Every method is synchronous, so reading the history and subscribing in the same call never misses an event.
// Objects handed in and out are copies.
import { alreadyExists, conflict, notFound } from './status.js';
import type { Flunder } from './types.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent {
  type: ChangeType;
  /** The object after the change (for DELETED: as it was, with the deletion's resourceVersion). */
  object: Flunder;
  /** The object before the change (MODIFIED and DELETED). */
  previous?: Flunder;
  resourceVersion: number;
}

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export interface StoreOptions {
  /** The resourceVersion of the empty store; the first write gets this + 1. Default 1. */
  initialResourceVersion?: number;
  /** How many change events are kept for watches that resume from a resourceVersion. Default 10000. */
  historyLimit?: number;
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

export class FlunderStore {
  private readonly objects = new Map<string, Flunder>();
  private readonly history: ChangeEvent[] = [];
  private readonly listeners = new Set<(e: ChangeEvent) => void>();
  private readonly historyLimit: number;
  private rv: number;
  /** Events with resourceVersion > this are all in `history`. */
  private historyStart: number;

  constructor(opts: StoreOptions = {}) {
    this.rv = opts.initialResourceVersion ?? 1;
    this.historyStart = this.rv;
    this.historyLimit = opts.historyLimit ?? 10_000;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get(namespace: string, name: string): Flunder | undefined {
    const obj = this.objects.get(key(namespace, name));
    return obj ? clone(obj) : undefined;
  }

  has(namespace: string, name: string): boolean {
    return this.objects.has(key(namespace, name));
  }

  /** Every object (of one namespace, or of all), ordered by namespace then name. */
  list(namespace?: string): Flunder[] {
    const out: Flunder[] = [];
    for (const obj of this.objects.values()) {
      if (namespace === undefined || obj.metadata.namespace === namespace) out.push(clone(obj));
    }
    return out.sort((a, b) => compareKeys(a, b));
  }

  /** Stores a new object (its metadata already complete but for resourceVersion). 409 AlreadyExists if taken. */
  create(obj: Flunder): Flunder {
    const k = key(obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    if (this.objects.has(k)) throw alreadyExists(obj.metadata.name ?? '');
    const stored = clone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    this.objects.set(k, stored);
    this.emit({ type: 'ADDED', object: clone(stored), resourceVersion: this.rv });
    return clone(stored);
  }

  /**
   * Replaces an existing object. `expectedResourceVersion` (when given) must be the current one, else 409 Conflict.
   * An update that changes nothing is not written (the current object is returned, no event).
   */
  update(obj: Flunder, expectedResourceVersion?: string): Flunder {
    const namespace = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    const k = key(namespace, name);
    const current = this.objects.get(k);
    if (!current) throw notFound(name);
    if (expectedResourceVersion !== undefined && expectedResourceVersion !== current.metadata.resourceVersion) throw conflict(name);
    const next = clone(obj);
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    if (JSON.stringify(next) === JSON.stringify(current)) return clone(current);
    next.metadata.resourceVersion = String(++this.rv);
    this.objects.set(k, next);
    this.emit({ type: 'MODIFIED', object: clone(next), previous: clone(current), resourceVersion: this.rv });
    return clone(next);
  }

  /** Removes an object; the returned copy carries the deletion's resourceVersion. */
  delete(namespace: string, name: string, pre: Preconditions = {}): Flunder {
    const k = key(namespace, name);
    const current = this.objects.get(k);
    if (!current) throw notFound(name);
    if (pre.uid !== undefined && pre.uid !== current.metadata.uid) {
      throw conflict(name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`,
      );
    }
    this.objects.delete(k);
    const gone = clone(current);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit({ type: 'DELETED', object: clone(gone), previous: clone(current), resourceVersion: this.rv });
    return gone;
  }

  /**
   * The events after `resourceVersion`, oldest first, or 'expired' when some of them are no longer kept.
   */
  eventsSince(resourceVersion: number): ChangeEvent[] | 'expired' {
    if (resourceVersion < this.historyStart) return 'expired';
    return this.history.filter((e) => e.resourceVersion > resourceVersion).map(clone);
  }

  /** The oldest resourceVersion a watch can still resume from. */
  get oldestResumableVersion(): number {
    return this.historyStart;
  }

  /** Calls `fn` for every change from now on; returns the unsubscribe function. */
  subscribe(fn: (e: ChangeEvent) => void): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  private emit(e: ChangeEvent): void {
    this.history.push(e);
    while (this.history.length > this.historyLimit) {
      const dropped = this.history.shift()!;
      this.historyStart = dropped.resourceVersion;
    }
    for (const fn of [...this.listeners]) {
      try {
        fn(clone(e));
      } catch {
        // A broken listener (e.g. a watch whose socket died) must not stop the others.
      }
    }
  }
}

export function compareKeys(a: Flunder, b: Flunder): number {
  const ka = key(a.metadata.namespace ?? '', a.metadata.name ?? '');
  const kb = key(b.metadata.namespace ?? '', b.metadata.name ?? '');
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function objectKey(obj: Flunder): string {
  return key(obj.metadata.namespace ?? '', obj.metadata.name ?? '');
}
