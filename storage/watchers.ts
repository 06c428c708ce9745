// Fan-out of committed events to watchers.
//
// Watchers are grouped by prefix, so an event costs one startsWith per distinct prefix plus one call per
// matching watcher. Live events are delivered synchronously, in revision order, from the write path; a
// new watcher first gets its history replay in a microtask (never before watch() returns), with live
// events that arrive meanwhile queued behind it. A listener that throws is reported once as a process
// warning and keeps receiving events; it never affects other watchers or the writer. Listeners must be
// quick (hand the event to their own buffer): a slow listener delays every write's acknowledgement.
import type { StoreEvent, StoreWatcher } from './store.js';

type Listener = (event: StoreEvent) => void;

interface Watcher {
  readonly prefix: string;
  readonly listener: Listener;
  /** Highest revision queued or delivered; later events only. */
  last: number;
  /** Events waiting for the replay microtask; null once the watcher is live. */
  queue: StoreEvent[] | null;
  stopped: boolean;
  warned: boolean;
}

export class WatcherHub {
  private groups = new Map<string, Set<Watcher>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Registers a watcher that first receives `replay` (events after `afterRevision` up to `upToRevision`,
   * already filtered by prefix), then live events with revision > max(afterRevision, upToRevision).
   */
  add(prefix: string, afterRevision: number, upToRevision: number, replay: StoreEvent[], listener: Listener): StoreWatcher {
    const w: Watcher = { prefix, listener, last: Math.max(afterRevision, upToRevision), queue: replay, stopped: false, warned: false };
    let group = this.groups.get(prefix);
    if (!group) this.groups.set(prefix, (group = new Set()));
    group.add(w);
    this.count++;
    queueMicrotask(() => this.drain(w));
    return { stop: () => this.remove(w) };
  }

  /** Delivers one committed event to every watcher whose prefix matches its key. */
  dispatch(event: StoreEvent): void {
    for (const [prefix, group] of this.groups) {
      if (!event.key.startsWith(prefix)) continue;
      for (const w of group) {
        if (w.stopped || event.revision <= w.last) continue;
        w.last = event.revision;
        if (w.queue) w.queue.push(event);
        else this.call(w, event);
      }
    }
  }

  /** Drops every watcher (on close); they receive nothing more. */
  clear(): void {
    for (const group of this.groups.values()) for (const w of group) w.stopped = true;
    this.groups.clear();
    this.count = 0;
  }

  private remove(w: Watcher): void {
    if (w.stopped) return;
    w.stopped = true;
    w.queue = null;
    const group = this.groups.get(w.prefix);
    if (group?.delete(w)) {
      this.count--;
      if (group.size === 0) this.groups.delete(w.prefix);
    }
  }

  private drain(w: Watcher): void {
    const queue = w.queue;
    if (!queue) return;
    // Events pushed by dispatch while we call listeners land at the end of the same array.
    for (let i = 0; i < queue.length && !w.stopped; i++) this.call(w, queue[i]!);
    w.queue = null;
  }

  private call(w: Watcher, event: StoreEvent): void {
    try {
      w.listener(event);
    } catch (err) {
      if (!w.warned) {
        w.warned = true;
        process.emitWarning(`kage storage: a watch listener on ${JSON.stringify(w.prefix)} threw: ${String((err as Error)?.stack ?? err)}`);
      }
    }
  }
}
