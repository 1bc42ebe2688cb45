/**
 * A typed listener list. Unlike EventEmitter, a listener that throws is reported to `onError`
 * instead of unwinding into the memory check that emitted the event.
 */
export class Listeners<Events extends object> {
  private readonly byEvent = new Map<keyof Events, Set<(payload: never) => void>>();

  constructor(private readonly onError: (event: keyof Events, err: unknown) => void) {}

  /** Returns a function that removes the listener. */
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of this.byEvent.get(event) ?? []) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch (err) {
        this.onError(event, err);
      }
    }
  }
}
