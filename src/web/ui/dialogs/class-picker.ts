import type { ClassDto } from '../../api/types';
import type { Editor } from '../../editor/editor';
import { colorInput } from '../panels/classes-panel';
import { h, replaceChildren } from '../dom';
import { formatCount } from '../format';
import { modal } from './modal';

/** A colour for a new class: spread around the hue circle by how many classes exist. */
export function nextClassColor(existing: number): string {
  const hue = (existing * 137.508) % 360;
  const s = 0.7;
  const l = 0.55;
  const f = (n: number) => {
    const k = (n + hue / 30) % 12;
    const c = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/**
 * Search the classes, pick one with Enter or a click (or the arrows), edit colours, and create
 * a class from the search text when nothing matches.
 */
export function classPicker(editor: Editor): HTMLElement {
  const search = h('input', {
    type: 'search',
    placeholder: 'Search or type a new class name',
    testid: 'class-search',
    'aria-label': 'Class name',
    style: 'width:100%',
  });
  const list = h('div', { class: 'picker-list', testid: 'class-options', role: 'listbox' });
  let highlight = 0;
  let matches: ClassDto[] = [];

  const choose = (cls: ClassDto) => {
    editor.setCurrentClass(cls.id);
    const selected = editor.selectedObject;
    if (selected && selected.classId !== cls.id && !editor.prompt.hasPrompt) {
      void editor.changeObjectClass(selected.id, cls.id);
    }
    editor.closeOverlay();
  };
  const create = async () => {
    const name = search.value.trim();
    if (!name) return;
    const created = await editor.createClass(name, nextClassColor(editor.state.classes.length));
    if (created) editor.closeOverlay();
  };

  const render = () => {
    const query = search.value.trim().toLowerCase();
    const classes = editor.state.classes;
    matches = classes.filter((c) => c.name.toLowerCase().includes(query));
    highlight = Math.min(highlight, Math.max(0, matches.length - 1));
    const exact = classes.some((c) => c.name.toLowerCase() === query);
    const rows: HTMLElement[] = matches.map((cls, i) => {
      const position = classes.indexOf(cls);
      const row = h(
        'div',
        {
          class: `picker-row${i === highlight ? ' highlight' : ''}${cls.id === editor.state.currentClassId ? ' current' : ''}`,
          testid: `class-option-${cls.id}`,
          role: 'option',
          'aria-selected': i === highlight,
        },
        colorInput(editor, cls),
        h('span', { class: 'name', text: cls.name }),
        h('span', { class: 'count', text: `${formatCount(cls.objectCount)} objects` }),
        position < 9 ? h('kbd', { text: String(position + 1) }) : h('span'),
      );
      row.addEventListener('click', () => choose(cls));
      return row;
    });
    if (query && !exact) {
      const row = h(
        'div',
        { class: `picker-row${matches.length === 0 ? ' highlight' : ''}`, testid: 'class-create' },
        h('span', { text: '+' }),
        h('span', { text: `Create class “${search.value.trim()}”` }),
        h('span'),
        h('kbd', { text: matches.length === 0 ? 'Enter' : 'Ctrl+Enter' }),
      );
      row.addEventListener('click', () => void create());
      rows.push(row);
    }
    if (rows.length === 0)
      rows.push(h('div', { class: 'empty', text: 'Type a name to create the first class.' }));
    replaceChildren(list, ...rows);
  };

  search.addEventListener('input', () => {
    highlight = 0;
    render();
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      highlight = Math.max(
        0,
        Math.min(matches.length - 1, highlight + (e.key === 'ArrowDown' ? 1 : -1)),
      );
      render();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const pick = matches[highlight];
      if (pick && !(e.ctrlKey || e.metaKey)) choose(pick);
      else void create();
    }
  });
  const unsubscribe = editor.store.subscribe(() => {
    if (!list.isConnected) unsubscribe();
    else render();
  }, ['classes', 'currentClassId']);
  render();
  queueMicrotask(() => search.focus());
  return modal({
    title: 'Classes',
    testid: 'class-picker',
    body: h('div', {}, search, list),
    onClose: () => editor.closeOverlay(),
  });
}
