import { microsToIso } from '../time.js';

/** Formats microseconds as "2026-01-09 18:04:43.417" (UTC, milliseconds), the report's time format. */
export function formatTime(micros: number): string {
  return microsToIso(micros).slice(0, 23).replace('T', ' ');
}

/** Formats microseconds as "18:04:43.417" (UTC), for tables that state the date once. */
export function formatTimeOfDay(micros: number): string {
  return microsToIso(micros).slice(11, 23);
}

export function formatOptionalTime(micros: number | null): string {
  return micros === null ? 'unknown' : formatTime(micros);
}

export type TextBlock = { kind: 'paragraph'; text: string } | { kind: 'list'; items: string[] };

/**
 * Splits narrative text into paragraphs and bullet lists. Blank lines separate paragraphs,
 * lines starting with "- " or "* " are list items, and other consecutive lines join into one
 * paragraph.
 */
export function parseNarrative(text: string): TextBlock[] {
  const blocks: TextBlock[] = [];
  let paragraph: string[] = [];
  let list: string[] = [];
  const flush = (): void => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', text: paragraph.join(' ') });
    if (list.length > 0) blocks.push({ kind: 'list', items: list });
    paragraph = [];
    list = [];
  };

  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    const item = /^[-*]\s+(.*)$/.exec(line);
    if (line === '') {
      flush();
    } else if (item) {
      if (paragraph.length > 0) flush();
      list.push(item[1]!);
    } else {
      if (list.length > 0) flush();
      paragraph.push(line);
    }
  }
  flush();
  return blocks;
}
