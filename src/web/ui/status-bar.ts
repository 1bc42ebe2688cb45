import type { Editor } from '../editor/editor';
import type { EditorState } from '../editor/editor-state';
import { h, replaceChildren } from './dom';
import { formatBytes, formatMs, formatPercent } from './format';

/**
 * Bottom line: model and provider, memory level against its thresholds, cache hit rate, last
 * click latency (page and server), prefetch queue, connection and unsaved changes.
 */
export function statusBar(editor: Editor): HTMLElement {
  const model = h('span', { class: 'item', testid: 'status-model' });
  const memory = h('span', { class: 'item', testid: 'status-memory' });
  const cache = h('span', { class: 'item', testid: 'status-cache' });
  const latency = h('span', { class: 'item', testid: 'status-latency' });
  const prefetch = h('span', { class: 'item', testid: 'status-prefetch' });
  const saving = h('span', { class: 'item', testid: 'status-saving' });
  const connection = h('span', { class: 'item', testid: 'status-connection' });

  const render = (state: Readonly<EditorState>) => {
    const session = state.session;
    const health = state.status.model;
    model.textContent = session
      ? `${session.model.label} · ${session.model.provider}`
      : 'Connecting…';
    model.title =
      health && !health.ok ? (health.message ?? 'The model failed') : (session?.model.id ?? '');
    model.style.color = health && !health.ok ? 'var(--danger)' : '';

    const mem = state.status.memory;
    if (mem && session) {
      const meter = h('span', { class: `meter ${mem.level}` });
      meter.append(
        h('span', { class: 'fill', style: `width:${Math.min(100, mem.ratio * 100)}%` }),
        h('span', {
          class: 'mark',
          style: `left:${session.memory.warningThreshold * 100}%`,
          title: 'warning',
        }),
        h('span', {
          class: 'mark',
          style: `left:${session.memory.criticalThreshold * 100}%`,
          title: 'critical',
        }),
      );
      replaceChildren(
        memory,
        'Memory',
        meter,
        `${formatPercent(mem.ratio)} of ${formatBytes(mem.budgetBytes)}`,
      );
      memory.title = `${mem.level}: ${formatBytes(mem.usedBytes)} used; warning at ${formatPercent(session.memory.warningThreshold)}, critical at ${formatPercent(session.memory.criticalThreshold)}${mem.gpu ? `; GPU ${formatBytes(mem.gpu.usedBytes)} / ${formatBytes(mem.gpu.totalBytes)}` : ''}`;
      memory.dataset.level = mem.level;
    } else {
      replaceChildren(memory, 'Memory –');
    }

    const c = state.status.cache;
    cache.textContent = c ? `Cache hits ${formatPercent(c.hitRate)}` : 'Cache –';
    if (c) {
      cache.title = `Embeddings: ${c.embeddings.entries} (${formatBytes(c.embeddings.bytes)}), ${c.embeddings.hits} hits / ${c.embeddings.misses} misses; predictions: ${c.predictions.entries}, ${c.predictions.hits} hits / ${c.predictions.misses} misses`;
    }

    const last = state.status.lastPredict;
    latency.textContent = last
      ? `Click ${formatMs(last.clientMs)}${last.cached ? ' (cached)' : ''}`
      : 'Click –';
    latency.title = last
      ? `Page round trip ${formatMs(last.clientMs)}; server ${formatMs(last.serverMs)}`
      : 'Latency of the last click';

    const p = state.status.prefetch;
    prefetch.textContent = p ? `Prefetch ${p.running} running · ${p.queued} queued` : 'Prefetch –';

    saving.textContent = state.pendingChanges > 0 ? 'Saving…' : 'Saved';
    saving.style.color = state.pendingChanges > 0 ? 'var(--warn)' : '';

    const conn = state.status.connection;
    replaceChildren(
      connection,
      h('span', { class: `dot conn-${conn}` }),
      conn === 'open' ? 'Live' : conn === 'connecting' ? 'Connecting' : 'Offline',
    );
    connection.title = 'Server events (memory, cache, prefetch, jobs)';
  };
  editor.store.subscribe(render, ['status', 'session', 'pendingChanges']);
  render(editor.state);
  return h(
    'footer',
    { class: 'statusbar', testid: 'status-bar' },
    model,
    memory,
    cache,
    latency,
    prefetch,
    h('span', { class: 'spacer' }),
    saving,
    connection,
  );
}

const DISMISSED_NOTICE = 'sam-annotator.dismissed-notice';

/** The notice text the user dismissed last (kept over reloads; a new notice shows again). */
function dismissedNotice(): string | null {
  try {
    return window.localStorage.getItem(DISMISSED_NOTICE);
  } catch {
    return null; // storage off (private mode, policy): the notice just comes back on reload
  }
}

/** Critical memory or a failed model: a banner that cannot be missed. Plus the model notice. */
export function banners(editor: Editor): HTMLElement {
  const el = h('div', { class: 'banners', testid: 'banners' });
  let dismissed = dismissedNotice();
  const render = (state: Readonly<EditorState>) => {
    const parts: HTMLElement[] = [];
    const health = state.status.model;
    if (health && !health.ok) {
      parts.push(
        h('div', {
          class: 'banner critical',
          testid: 'banner-model',
          role: 'alert',
          text: `The model failed: ${health.message ?? 'no details given'}. Clicks cannot make masks until it recovers.`,
        }),
      );
    }
    const mem = state.status.memory;
    if (mem?.level === 'critical') {
      parts.push(
        h('div', {
          class: 'banner critical',
          testid: 'banner-memory',
          role: 'alert',
          text: `Memory is critical (${formatPercent(mem.ratio)} of ${formatBytes(mem.budgetBytes)}): caches were cleared and background work is paused. Annotation goes on, slower.`,
        }),
      );
    }
    const notice = state.session?.model.notice;
    if (notice && notice !== dismissed) {
      const close = h('button', { text: 'Dismiss', testid: 'model-notice-dismiss' });
      close.addEventListener('click', () => {
        dismissed = notice;
        try {
          window.localStorage.setItem(DISMISSED_NOTICE, notice);
        } catch {
          // not kept over reloads; dismissed for now all the same
        }
        render(editor.state);
      });
      parts.push(
        h(
          'div',
          { class: 'banner notice', testid: 'model-notice' },
          h('span', { text: notice }),
          close,
        ),
      );
    }
    replaceChildren(el, ...parts);
  };
  editor.store.subscribe(render, ['status', 'session']);
  render(editor.state);
  return el;
}
