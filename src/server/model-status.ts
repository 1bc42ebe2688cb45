import type { EventHub } from './event-hub.js';

/**
 * Whether the model works, as the page's banner shows it. A failure is published at once; the
 * next success after a failure publishes the all-clear, so the banner never outlives the fault
 * (the hub replays the latest state to every page that connects).
 */
export class ModelStatus {
  private failing = false;

  constructor(private readonly hub: EventHub) {}

  failed(message: string): void {
    this.failing = true;
    this.hub.publish('model', { ok: false, message });
  }

  succeeded(): void {
    if (!this.failing) return;
    this.failing = false;
    this.hub.publish('model', { ok: true, message: null });
  }
}
