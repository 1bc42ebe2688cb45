import type { Editor } from '../editor/editor';
import type { Toast } from '../editor/editor-state';
import { h, replaceChildren } from './dom';
import { icon } from './icons';

const LIFETIME_MS: Record<Toast['kind'], number> = { info: 3500, success: 3500, error: 8000 };

/** Notices in the corner; errors stay longer. Each goes away by itself or with its ×. */
export function toasts(editor: Editor): HTMLElement {
  const el = h('div', { class: 'toasts', testid: 'toasts', role: 'status', 'aria-live': 'polite' });
  const timers = new Map<number, number>();
  const render = () => {
    const list = editor.state.toasts;
    for (const toast of list) {
      if (timers.has(toast.id)) continue;
      timers.set(
        toast.id,
        window.setTimeout(() => {
          timers.delete(toast.id);
          editor.dismissToast(toast.id);
        }, LIFETIME_MS[toast.kind]),
      );
    }
    replaceChildren(
      el,
      ...list.map((toast) => {
        const close = h('button', { 'aria-label': 'Dismiss' }, icon('close', 14));
        close.addEventListener('click', () => editor.dismissToast(toast.id));
        return h(
          'div',
          { class: `toast ${toast.kind}`, testid: 'toast', 'data-kind': toast.kind },
          h('span', { text: toast.text }),
          close,
        );
      }),
    );
  };
  editor.store.subscribe(render, ['toasts']);
  return el;
}
