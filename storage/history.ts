// The watch history window: a bounded ring of the newest StoreEvents.
//
// Every write is exactly one event and bumps the revision by one, so the ring always holds the contiguous
// revisions startRevision+1 .. newest. `startRevision` is the oldest revision that can still be served
// exactly: a watch "after startRevision" replays every later event, and the state "at startRevision" can be
// rebuilt by undoing them.
import type { StoreEvent, StoredRecord } from './store.js';

export class History {
  private ring: (StoreEvent | undefined)[];
  private head = 0; // index of the oldest event
  private length = 0;
  private start: number;

  /** @param startRevision the current revision when the history begins (empty, nothing older is known). */
  constructor(readonly capacity: number, startRevision: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) throw new RangeError(`bad history size ${capacity}`);
    this.ring = new Array<StoreEvent | undefined>(capacity);
    this.start = startRevision;
  }

  /** The lowest revision from which watches and past-revision lists are exact. */
  get startRevision(): number {
    return this.start;
  }

  /** The newest revision the history has seen. */
  get endRevision(): number {
    return this.start + this.length;
  }

  get size(): number {
    return this.length;
  }

  push(event: StoreEvent): void {
    if (event.revision !== this.endRevision + 1) {
      throw new Error(`history: event revision ${event.revision} does not follow ${this.endRevision}`);
    }
    if (this.capacity === 0) {
      this.start = event.revision;
      return;
    }
    if (this.length === this.capacity) {
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.length--;
      this.start++;
    }
    this.ring[(this.head + this.length) % this.capacity] = event;
    this.length++;
  }

  /** Forgets events up to and including `revision` (clamped to the newest). */
  compact(revision: number): void {
    const upTo = Math.min(revision, this.endRevision);
    while (this.start < upTo) {
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.length--;
      this.start++;
    }
  }

  /** Events with revision > `revision`, oldest first. Requires startRevision <= revision. */
  eventsAfter(revision: number, prefix = ''): StoreEvent[] {
    if (revision < this.start) throw new RangeError(`history: revision ${revision} is older than ${this.start}`);
    const out: StoreEvent[] = [];
    for (let i = Math.max(0, revision - this.start); i < this.length; i++) {
      const ev = this.ring[(this.head + i) % this.capacity]!;
      if (ev.key.startsWith(prefix)) out.push(ev);
    }
    return out;
  }

  /**
   * For every key under `prefix` with from <= key < to that changed after `revision`: its state at `revision`
   * (null when it did not exist then). Requires startRevision <= revision.
   */
  stateAt(revision: number, prefix: string, from: string, to: string | undefined): Map<string, StoredRecord | null> {
    const states = new Map<string, StoredRecord | null>();
    for (const ev of this.eventsAfter(revision, prefix)) {
      if (ev.key < from || (to !== undefined && ev.key >= to) || states.has(ev.key)) continue;
      // The earliest change after `revision` tells what the key was at `revision`.
      states.set(ev.key, ev.type === 'ADDED' ? null : (ev.prev ?? null));
    }
    return states;
  }
}
