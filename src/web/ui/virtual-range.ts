/**
 * Range math of the virtualised image list: fixed row height, only the rows on screen (plus
 * overscan) exist in the DOM. Browsers cap an element's height (Chrome ~33.5M px, Firefox
 * ~17.9M px), so past `maxScrollPx` the scroll position maps onto the rows proportionally.
 * Pure, no DOM.
 */
export const MAX_SCROLL_PX = 8_000_000;

export interface VirtualLayout {
  /** Height of the scroll content, in px. */
  contentHeight: number;
  /** First row to render (inclusive) and last (exclusive). */
  start: number;
  end: number;
  /** Top of row `start` in content px (rows follow at `rowHeight` each). */
  startTop: number;
}

export interface VirtualInput {
  total: number;
  rowHeight: number;
  scrollTop: number;
  viewportHeight: number;
  overscan?: number;
  maxScrollPx?: number;
}

/** Real (unscaled) height of all rows, and the height the scroll content gets. */
export function contentHeightOf(
  total: number,
  rowHeight: number,
  maxScrollPx = MAX_SCROLL_PX,
): number {
  return Math.min(Math.max(0, total) * rowHeight, maxScrollPx);
}

/** The virtual offset of the viewport top: equals scrollTop until the content is capped. */
export function virtualTop(input: VirtualInput): number {
  const { total, rowHeight, scrollTop, viewportHeight } = input;
  const real = Math.max(0, total) * rowHeight;
  const content = contentHeightOf(total, rowHeight, input.maxScrollPx);
  if (real <= content) return scrollTop;
  const scrollable = content - viewportHeight;
  if (scrollable <= 0) return 0;
  return (Math.min(scrollTop, scrollable) / scrollable) * (real - viewportHeight);
}

export function visibleRange(input: VirtualInput): VirtualLayout {
  const { total, rowHeight, scrollTop, viewportHeight } = input;
  const overscan = input.overscan ?? 6;
  const contentHeight = contentHeightOf(total, rowHeight, input.maxScrollPx);
  if (total <= 0 || rowHeight <= 0) return { contentHeight, start: 0, end: 0, startTop: 0 };
  const top = virtualTop(input);
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + viewportHeight) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, last + overscan);
  // Row `first` sits where its virtual position falls inside the viewport.
  const startTop = scrollTop - (top - start * rowHeight);
  return { contentHeight, start, end, startTop };
}

/** scrollTop that brings row `index` fully into view, or null when it already is. */
export function scrollToReveal(input: VirtualInput, index: number): number | null {
  const { total, rowHeight, scrollTop, viewportHeight } = input;
  if (index < 0 || index >= total) return null;
  const real = total * rowHeight;
  const content = contentHeightOf(total, rowHeight, input.maxScrollPx);
  const top = virtualTop(input);
  const rowTop = index * rowHeight;
  let wantedTop: number;
  if (rowTop < top) wantedTop = rowTop;
  else if (rowTop + rowHeight > top + viewportHeight)
    wantedTop = rowTop + rowHeight - viewportHeight;
  else return null;
  if (real <= content) return Math.max(0, wantedTop);
  const scrollable = content - viewportHeight;
  const realScrollable = real - viewportHeight;
  if (scrollable <= 0 || realScrollable <= 0) return 0;
  const scrolled = (wantedTop / realScrollable) * scrollable;
  return Math.max(0, Math.min(scrollable, scrolled)) === scrollTop
    ? null
    : Math.max(0, Math.min(scrollable, scrolled));
}
