import { h } from '../dom';
import { icon } from '../icons';

export interface ModalOptions {
  title: string;
  testid: string;
  wide?: boolean;
  body: HTMLElement;
  foot?: HTMLElement[];
  onClose: () => void;
}

/** A dialog over the page: closes on Esc, on the × and on a click outside it. */
export function modal(options: ModalOptions): HTMLElement {
  const close = h(
    'button',
    { class: 'icon-button close', 'aria-label': 'Close', testid: `${options.testid}-close` },
    icon('close'),
  );
  close.addEventListener('click', options.onClose);
  const dialog = h(
    'div',
    {
      class: `dialog${options.wide ? ' wide' : ''}`,
      role: 'dialog',
      'aria-modal': 'true',
      'aria-label': options.title,
      testid: options.testid,
    },
    h('div', { class: 'dialog-head' }, h('h2', { text: options.title }), close),
    h('div', { class: 'dialog-body' }, options.body),
    options.foot ? h('div', { class: 'dialog-foot' }, ...options.foot) : null,
  );
  const backdrop = h('div', { class: 'backdrop' }, dialog);
  backdrop.addEventListener('mousedown', (e) => {
    if (e.target === backdrop) options.onClose();
  });
  dialog.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      options.onClose();
    }
  });
  return backdrop;
}
