import type { Action, ActionGroup } from '../editor/actions/action';
import { isEnabled } from '../editor/actions/action';
import { ACTIONS, actionById, runAction } from '../editor/actions/registry';
import { keyParts } from '../editor/actions/keys';
import type { Editor } from '../editor/editor';
import { h, on, replaceChildren } from './dom';
import { STATUS_LABELS } from './format';
import { icon } from './icons';

/** Toolbar buttons: action id and icon; labels and keys come from the registry. */
const TOOLBAR: (readonly [string, string] | 'sep')[] = [
  ['prompt.toggle-tool', 'box'],
  ['prompt.hover-preview', 'hover'],
  'sep',
  ['prompt.accept', 'check'],
  ['history.undo', 'undo'],
  ['history.redo', 'redo'],
  'sep',
  ['status.done', 'done'],
  ['status.faulty', 'flag'],
  ['view.review', 'review'],
  ['view.fit', 'fit'],
  'sep',
  ['windows.stats', 'stats'],
  ['windows.export', 'export'],
  ['windows.help', 'help'],
];

/** Menus of the menubar, each gathering action groups (with a heading per group). */
const MENUS: { title: string; groups: ActionGroup[] }[] = [
  { title: 'Annotate', groups: ['Prompt', 'Objects', 'Classes', 'History'] },
  { title: 'Image', groups: ['Navigation', 'Image status'] },
  { title: 'View', groups: ['View', 'Windows'] },
];

/**
 * Key caps for an action: a run of digit keys shows as "1 – 9"; `max` keeps the first keys only
 * (menus are narrow; the help overlay shows them all).
 */
export function keysLabel(keys: readonly string[], max = Infinity): HTMLElement {
  const caps = (k: string) => h('kbd', { text: keyParts(k).join('+') });
  if (keys.length > 2 && keys.every((k) => /^[0-9]$/.test(k))) {
    return h('span', { class: 'keys' }, caps(keys[0]!), '–', caps(keys.at(-1)!));
  }
  return h('span', { class: 'keys' }, ...keys.slice(0, max).map(caps));
}

function title(action: Action): string {
  const keys = action.keys.map((k) => keyParts(k).join('+')).join(' / ');
  return keys ? `${action.label} (${keys})` : action.label;
}

/** Brand, menus (one per action group), toolbar, and the open image's path and status. */
export function header(editor: Editor): HTMLElement {
  const menus = h('nav', { class: 'menubar', testid: 'menubar' });
  let openMenu: HTMLElement | null = null;
  const closeMenus = () => {
    openMenu?.classList.remove('open');
    openMenu?.querySelector('.menu-list')?.remove();
    openMenu = null;
  };
  for (const { title: menuTitle, groups } of MENUS) {
    const button = h('button', {
      text: menuTitle,
      testid: `menu-${menuTitle.toLowerCase()}`,
      'aria-haspopup': 'menu',
    });
    const menu = h('div', { class: 'menu' }, button);
    button.addEventListener('click', (event) => {
      event.stopPropagation();
      const wasOpen = openMenu === menu;
      closeMenus();
      if (wasOpen) return;
      openMenu = menu;
      menu.classList.add('open');
      menu.append(menuList(editor, groups, closeMenus));
    });
    menus.append(menu);
  }
  on(document, 'click', closeMenus);
  on(document, 'keydown', (e) => {
    if (e.key === 'Escape' && openMenu) {
      closeMenus();
      e.stopPropagation();
    }
  });

  const toolbar = h('div', { class: 'toolbar', testid: 'toolbar' });
  const buttons: { action: Action; el: HTMLButtonElement }[] = [];
  for (const entry of TOOLBAR) {
    if (entry === 'sep') {
      toolbar.append(h('span', { class: 'tool-sep' }));
      continue;
    }
    const [id, iconName] = entry;
    const action = actionById(id);
    const el = h(
      'button',
      {
        class: 'tool-button',
        testid: `tool-${id}`,
        title: title(action),
        'aria-label': action.label,
      },
      icon(iconName),
    );
    el.addEventListener('click', () => void runAction(editor, action));
    toolbar.append(el);
    buttons.push({ action, el });
  }

  const path = h('span', { class: 'path', testid: 'image-title' });
  const status = h('span', { class: 'chip', testid: 'image-status' });
  const position = h('span', { class: 'chip', testid: 'image-position' });
  const imageTitle = h('div', { class: 'image-title' }, position, path, status);

  let shownTool: string | null = null;
  const refresh = () => {
    for (const { action, el } of buttons) {
      el.disabled = !isEnabled(action, editor);
      el.classList.toggle('active', action.checked?.(editor) ?? false);
      if (action.id === 'prompt.toggle-tool') {
        el.classList.remove('active');
        const tool = editor.state.tool;
        if (tool !== shownTool) {
          shownTool = tool;
          replaceChildren(
            el,
            icon(tool === 'box' ? 'box' : 'points'),
            h('span', { text: tool === 'box' ? 'Box' : 'Points' }),
          );
        }
      }
    }
    const image = editor.state.image;
    path.textContent = image ? image.path : '';
    path.title = image?.path ?? '';
    status.className = image ? `chip status-${image.status}` : 'chip';
    status.textContent = image ? (STATUS_LABELS[image.status] ?? image.status) : '';
    status.hidden = !image;
    const total = editor.state.session?.dataset.imageCount;
    position.textContent = image ? `${image.index + 1} / ${total ?? '?'}` : '';
    position.hidden = !image;
  };
  editor.store.subscribe(refresh, [
    'prompt',
    'history',
    'image',
    'objects',
    'view',
    'tool',
    'selectedObjectId',
    'session',
    'classes',
    'loadingImageId',
  ]);
  refresh();

  return h(
    'header',
    { class: 'header', testid: 'header' },
    h('div', { class: 'brand' }, 'SAM ', h('span', { text: 'Annotator' })),
    menus,
    toolbar,
    imageTitle,
  );
}

function menuList(editor: Editor, groups: readonly ActionGroup[], close: () => void): HTMLElement {
  const list = h('div', { class: 'menu-list', role: 'menu' });
  for (const group of groups) {
    list.append(h('div', { class: 'menu-heading', text: group }));
    for (const action of ACTIONS) {
      if (action.group === group && action.menu !== false)
        list.append(menuItem(editor, action, close));
    }
  }
  return list;
}

function menuItem(editor: Editor, action: Action, close: () => void): HTMLElement {
  const checked = action.checked?.(editor);
  const item = h(
    'button',
    {
      class: 'menu-item',
      role: 'menuitem',
      testid: `menu-item-${action.id}`,
      disabled: !isEnabled(action, editor),
    },
    h('span', { text: checked ? '✓' : '' }),
    h('span', { text: action.label }),
    keysLabel(action.keys, 2),
  );
  item.addEventListener('click', (event) => {
    event.stopPropagation();
    close();
    void runAction(editor, action);
  });
  return item;
}
