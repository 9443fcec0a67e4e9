/**
 * Virtual scrolling over more rows than a browser can lay out. Only the rows in view (plus a
 * few above and below) exist in the DOM. Browsers cap an element's height (about 33 million
 * pixels in Chromium, less in Firefox), so past `MAX_SCROLL_PIXELS` the scroll position maps
 * proportionally onto the rows instead of one pixel per pixel.
 */

export const MAX_SCROLL_PIXELS = 10_000_000;

export interface RowSlice {
  /** Index of the first rendered row. */
  first: number;
  /** Number of rendered rows. */
  count: number;
  /** Offset in pixels of the first rendered row from the top of the scrolled content. */
  top: number;
}

/** Returns the height of the scrolled content for `total` rows. */
export function contentHeight(total: number, rowHeight: number): number {
  return Math.min(total * rowHeight, MAX_SCROLL_PIXELS);
}

/** Returns the position in the full list, in pixels, that a scroll offset shows at the top. */
function listPosition(scrollTop: number, viewport: number, total: number, rowHeight: number): number {
  const full = total * rowHeight;
  const content = contentHeight(total, rowHeight);
  if (full === content || content <= viewport) return scrollTop;
  return (scrollTop * (full - viewport)) / (content - viewport);
}

/** Returns the rows to render for a scroll offset and viewport height, with `overscan` spare rows on each side. */
export function visibleSlice(scrollTop: number, viewport: number, total: number, rowHeight: number, overscan = 6): RowSlice {
  if (total <= 0 || viewport <= 0) return { first: 0, count: Math.max(0, Math.min(total, overscan)), top: 0 };
  const position = listPosition(Math.max(0, scrollTop), viewport, total, rowHeight);
  const exact = Math.min(total - 1, Math.floor(position / rowHeight));
  const first = Math.max(0, exact - overscan);
  const top = scrollTop - (position - first * rowHeight);
  const count = Math.min(total - first, Math.ceil(viewport / rowHeight) + 1 + overscan * 2);
  return { first, count, top };
}

/** Returns the scroll offset that shows row `index` at the top of the viewport. */
export function scrollTopFor(index: number, viewport: number, total: number, rowHeight: number): number {
  const full = total * rowHeight;
  const content = contentHeight(total, rowHeight);
  const position = Math.max(0, Math.min(index * rowHeight, full - viewport));
  if (full === content || content <= viewport) return position;
  return (position * (content - viewport)) / (full - viewport);
}
