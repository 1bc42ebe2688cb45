import { describe, expect, it } from 'vitest';
import { contentHeightOf, scrollToReveal, visibleRange, virtualTop } from './virtual-range';

describe('visibleRange', () => {
  it('renders only the rows on screen plus overscan', () => {
    const r = visibleRange({
      total: 100_000,
      rowHeight: 40,
      scrollTop: 40_000,
      viewportHeight: 600,
      overscan: 5,
    });
    expect(r.contentHeight).toBe(4_000_000);
    expect(r.start).toBe(995);
    expect(r.end).toBe(1020);
    expect(r.startTop).toBe(995 * 40);
  });

  it('clamps at both ends and handles an empty list', () => {
    expect(
      visibleRange({ total: 10, rowHeight: 40, scrollTop: 0, viewportHeight: 1000 }),
    ).toMatchObject({
      start: 0,
      end: 10,
    });
    expect(visibleRange({ total: 0, rowHeight: 40, scrollTop: 0, viewportHeight: 500 })).toEqual({
      contentHeight: 0,
      start: 0,
      end: 0,
      startTop: 0,
    });
    const bottom = visibleRange({
      total: 1000,
      rowHeight: 40,
      scrollTop: 40_000 - 500,
      viewportHeight: 500,
      overscan: 2,
    });
    expect(bottom.end).toBe(1000);
  });

  it('maps scroll onto rows proportionally past the browser height cap', () => {
    const input = {
      total: 1_000_000,
      rowHeight: 40,
      viewportHeight: 800,
      maxScrollPx: 1_000_000,
      overscan: 0,
    };
    expect(contentHeightOf(1_000_000, 40, 1_000_000)).toBe(1_000_000);
    const end = visibleRange({ ...input, scrollTop: 1_000_000 - 800 });
    expect(end.end).toBe(1_000_000);
    expect(end.start).toBe(1_000_000 - 20);
    const middle = visibleRange({ ...input, scrollTop: (1_000_000 - 800) / 2 });
    expect(middle.start).toBe(Math.floor((40_000_000 - 800) / 2 / 40));
    // The first row sits at its place inside the viewport (a partial row above the top).
    const top = virtualTop({ ...input, scrollTop: (1_000_000 - 800) / 2 });
    expect(middle.startTop).toBeCloseTo((1_000_000 - 800) / 2 - (top - middle.start * 40), 6);
  });
});

describe('scrollToReveal', () => {
  const base = { total: 1000, rowHeight: 40, viewportHeight: 400 };
  it('scrolls the least needed to show a row, and not at all when it shows', () => {
    expect(scrollToReveal({ ...base, scrollTop: 0 }, 5)).toBeNull();
    expect(scrollToReveal({ ...base, scrollTop: 0 }, 20)).toBe(21 * 40 - 400);
    expect(scrollToReveal({ ...base, scrollTop: 4000 }, 3)).toBe(120);
    expect(scrollToReveal({ ...base, scrollTop: 0 }, 1000)).toBeNull();
  });

  it('reveals rows past the height cap', () => {
    const input = { total: 1_000_000, rowHeight: 40, viewportHeight: 800, maxScrollPx: 1_000_000 };
    const scrollTop = scrollToReveal({ ...input, scrollTop: 0 }, 999_999)!;
    const r = visibleRange({ ...input, scrollTop, overscan: 0 });
    expect(r.end).toBe(1_000_000);
  });
});
