import type { ImageStatus, ImageSummary } from '../../api/types';
import type { Editor } from '../../editor/editor';
import { h, on } from '../dom';
import { STATUS_LABELS, formatCount } from '../format';
import { scrollToReveal, visibleRange } from '../virtual-range';

const ROW_HEIGHT = 44;
/** Thumbnails load once a row has stayed on screen this long (not while flinging past). */
const THUMB_DELAY_MS = 140;
const STATUSES: ImageStatus[] = ['new', 'in_progress', 'done', 'faulty', 'broken'];
/**
 * A transparent pixel for a thumbnail not loaded yet. Removing `src` instead would leave an image
 * that had loaded in the "broken" state, and Chrome draws its broken-image icon in every row
 * scrolled into view until the new thumbnail arrives.
 */
const NO_THUMB = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

interface RowEl {
  el: HTMLDivElement;
  thumb: HTMLImageElement;
  path: HTMLDivElement;
  index: HTMLDivElement;
  status: HTMLSpanElement;
  count: HTMLSpanElement;
  id: number | null;
  /** The server's versioned thumbnail URL for the row's image (loaded once the row settles). */
  thumbUrl: string | null;
}

/**
 * The image list: filters, jump box, and a virtualised list of fixed-height rows. Only the rows
 * on screen exist in the DOM (a pool reused while scrolling); their pages are fetched on demand,
 * and thumbnails are requested only for rows that stay visible.
 */
export function imageListPanel(editor: Editor): HTMLElement {
  // ---- filters -------------------------------------------------------------------------
  const search = h('input', {
    type: 'search',
    placeholder: 'Search paths  ( / )',
    testid: 'filter-search',
    'aria-label': 'Search paths',
  });
  const status = h('select', { testid: 'filter-status', 'aria-label': 'Status filter' });
  const classFilter = h('select', { testid: 'filter-class', 'aria-label': 'Class filter' });
  const jump = h('input', {
    type: 'text',
    placeholder: 'Go to # or path  ( j )',
    testid: 'jump-input',
    'aria-label': 'Jump to image',
  });
  const meta = h(
    'div',
    { class: 'list-meta' },
    h('span', { testid: 'list-total' }),
    h('span', { testid: 'list-error' }),
  );

  let searchTimer = 0;
  const applyFilters = () => {
    void editor.setFilters({
      ...(status.value ? { status: status.value as ImageStatus } : {}),
      ...(classFilter.value ? { classId: Number(classFilter.value) } : {}),
      ...(search.value.trim() ? { search: search.value.trim() } : {}),
    });
    scroller.scrollTop = 0;
  };
  on(search, 'input', () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(applyFilters, 250);
  });
  on(status, 'change', applyFilters);
  on(classFilter, 'change', applyFilters);
  on(jump, 'keydown', (e) => {
    if (e.key === 'Enter') {
      void editor.jumpTo(jump.value);
      jump.value = '';
      jump.blur();
    }
  });

  const fillSelects = () => {
    const counts = editor.list.statusCounts;
    const current = status.value;
    status.replaceChildren(
      h('option', { value: '', text: 'All statuses' }),
      ...STATUSES.map((s) =>
        h('option', {
          value: s,
          text: `${STATUS_LABELS[s]}${counts ? ` (${formatCount(counts[s])})` : ''}`,
        }),
      ),
    );
    status.value = current;
    const currentClass = classFilter.value;
    classFilter.replaceChildren(
      h('option', { value: '', text: 'All classes' }),
      ...editor.state.classes.map((c) => h('option', { value: String(c.id), text: c.name })),
    );
    classFilter.value = currentClass;
  };

  // ---- virtual list --------------------------------------------------------------------
  const content = h('div', { class: 'image-list-content' });
  const scroller = h(
    'div',
    { class: 'image-list', testid: 'image-list', role: 'listbox', 'aria-label': 'Images' },
    content,
  );
  const pool: RowEl[] = [];
  let thumbTimer = 0;

  const makeRow = (): RowEl => {
    const thumb = h('img', { class: 'thumb', alt: '', draggable: 'false', src: NO_THUMB });
    const path = h('div', { class: 'path' });
    const index = h('div', { class: 'index' });
    const statusDot = h('span', { class: 'dot' });
    const count = h('span');
    const el = h(
      'div',
      { class: 'image-row', role: 'option' },
      thumb,
      h('div', { class: 'name' }, path, index),
      h('div', { class: 'meta' }, count, statusDot),
    );
    const row: RowEl = {
      el,
      thumb,
      path,
      index,
      status: statusDot,
      count,
      id: null,
      thumbUrl: null,
    };
    el.addEventListener('click', () => {
      if (row.id !== null) void editor.openImage(row.id);
    });
    content.append(el);
    return row;
  };

  const fillRow = (row: RowEl, i: number, item: ImageSummary | undefined, top: number) => {
    row.el.style.transform = `translateY(${top}px)`;
    row.el.hidden = false;
    row.el.dataset.index = String(i);
    const id = item?.id ?? null;
    const current = editor.state.image?.id;
    row.el.classList.toggle('current', id !== null && id === current);
    row.el.classList.toggle('placeholder', !item);
    row.el.setAttribute('aria-selected', String(id !== null && id === current));
    if (row.id !== id) {
      row.id = id;
      row.el.dataset.testid = id === null ? 'image-row-loading' : `image-row-${id}`;
    }
    // A changed file gets a new versioned URL: the row shows the new thumbnail.
    const thumbUrl = item ? editor.api.resolveUrl(item.thumbnailUrl) : null;
    if (row.thumbUrl !== thumbUrl) {
      row.thumbUrl = thumbUrl;
      row.thumb.src = NO_THUMB;
    }
    row.path.textContent = item ? item.path : 'Loading…';
    row.path.title = item?.path ?? '';
    row.index.textContent = `#${i + 1}${item?.width ? ` · ${item.width}×${item.height}` : ''}`;
    row.status.className = `dot status-${item?.status ?? 'new'}`;
    row.status.title = item ? (STATUS_LABELS[item.status] ?? item.status) : '';
    row.count.textContent = item && item.objectCount > 0 ? `${item.objectCount} obj` : '';
  };

  const render = () => {
    const total = editor.list.total ?? 0;
    const layout = visibleRange({
      total,
      rowHeight: ROW_HEIGHT,
      scrollTop: scroller.scrollTop,
      viewportHeight: scroller.clientHeight,
      overscan: 4,
    });
    content.style.height = `${layout.contentHeight}px`;
    const needed = layout.end - layout.start;
    while (pool.length < needed) pool.push(makeRow());
    for (let k = 0; k < pool.length; k++) {
      const row = pool[k]!;
      if (k >= needed) {
        row.el.hidden = true;
        row.id = null;
        row.thumbUrl = null;
        row.thumb.src = NO_THUMB;
        delete row.el.dataset.testid;
        continue;
      }
      const i = layout.start + k;
      fillRow(row, i, editor.list.get(i), layout.startTop + k * ROW_HEIGHT);
    }
    if (needed > 0) void editor.list.ensure(layout.start, layout.end);
    const totalLabel =
      editor.list.total === null
        ? 'Loading…'
        : `${formatCount(total)} image${total === 1 ? '' : 's'}${editor.list.isFiltered ? ' match' : ''}`;
    meta.firstElementChild!.textContent = totalLabel;
    meta.lastElementChild!.textContent = editor.list.error ?? '';
    window.clearTimeout(thumbTimer);
    thumbTimer = window.setTimeout(loadThumbs, THUMB_DELAY_MS);
  };

  const loadThumbs = () => {
    for (const row of pool) {
      if (row.el.hidden || row.thumbUrl === null || row.thumb.src === row.thumbUrl) continue;
      row.thumb.src = row.thumbUrl;
    }
  };

  let frame = 0;
  const schedule = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  };
  on(scroller, 'scroll', schedule, { passive: true });
  new ResizeObserver(schedule).observe(scroller);

  /** Brings the open image's row into view (when it is in the list as filtered). */
  const reveal = () => {
    const image = editor.state.image;
    if (!image) return;
    const index = editor.list.isFiltered ? editor.list.indexOf(image.id) : image.index;
    if (index < 0) return;
    const top = scrollToReveal(
      {
        total: editor.list.total ?? 0,
        rowHeight: ROW_HEIGHT,
        scrollTop: scroller.scrollTop,
        viewportHeight: scroller.clientHeight,
      },
      index,
    );
    if (top !== null) scroller.scrollTop = top;
  };

  editor.store.subscribe(
    (state, changed) => {
      if (changed.has('listVersion') || changed.has('classes')) fillSelects();
      if (changed.has('image') && state.image) reveal();
      schedule();
    },
    ['listVersion', 'image', 'classes'],
  );
  editor.store.subscribe(
    (state) => {
      const target = state.focus?.target;
      if (target === 'search') search.focus();
      if (target === 'jump') jump.focus();
    },
    ['focus'],
  );
  fillSelects();

  return h(
    'aside',
    { class: 'sidebar left', testid: 'image-panel' },
    h('div', { class: 'section-title' }, h('span', { text: 'Images' })),
    h('div', { class: 'filters' }, search, h('div', { class: 'row' }, status, classFilter), jump),
    meta,
    scroller,
  );
}
