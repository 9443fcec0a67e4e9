import { NetcaseError } from '../errors.js';
import { appendAudit } from '../case/audit.js';
import type { OpenCase } from '../case/case-folder.js';
import type { ReportTimelineEntry } from './report-model.js';

export interface ReportMark {
  eventId: number;
  ts: number | null;
  log: string;
  note: string;
  markedBy: string;
  markedAt: string;
}

/** Marks an event for the key timeline, or replaces the note of an existing mark. Audited. */
export function markEvent(opened: OpenCase, eventId: number, note = ''): ReportMark {
  const event = opened.db.prepare('SELECT id, ts, log FROM events WHERE id = ?').get(eventId) as { id: number; ts: number | null; log: string } | undefined;
  if (!event) throw new NetcaseError('NOT_FOUND', `Event ${eventId} not found in the case. Find event ids with "netcase search DIR --json".`);
  if (event.ts === null) throw new NetcaseError('INVALID_ARGUMENT', `Event ${eventId} (${event.log}) has no timestamp, so it cannot be placed on the timeline.`);

  const mark: ReportMark = { eventId, ts: event.ts, log: event.log, note: note.trim(), markedBy: opened.actor, markedAt: new Date().toISOString() };
  opened.db.transaction(() => {
    opened.db
      .prepare(`INSERT INTO report_marks (event_id, note, marked_by, marked_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (event_id) DO UPDATE SET note = excluded.note, marked_by = excluded.marked_by, marked_at = excluded.marked_at`)
      .run(eventId, mark.note, mark.markedBy, mark.markedAt);
    appendAudit(opened.db, opened.actor, 'report.mark', { event_id: eventId, log: event.log, note: mark.note });
  })();
  return mark;
}

/** Removes a mark; returns false when the event was not marked. Audited when a mark is removed. */
export function unmarkEvent(opened: OpenCase, eventId: number): boolean {
  return opened.db.transaction(() => {
    const removed = opened.db.prepare('DELETE FROM report_marks WHERE event_id = ?').run(eventId).changes > 0;
    if (removed) appendAudit(opened.db, opened.actor, 'report.unmark', { event_id: eventId });
    return removed;
  })();
}

export function listMarks(opened: OpenCase): ReportMark[] {
  return opened.db
    .prepare(`SELECT m.event_id AS eventId, e.ts, e.log, m.note, m.marked_by AS markedBy, m.marked_at AS markedAt
      FROM report_marks m JOIN events e ON e.id = m.event_id ORDER BY e.ts, m.event_id`)
    .all() as ReportMark[];
}

/** Timeline rows for the marked events: a summary of the event, followed by the analyst's note if there is one. */
export function markTimelineEntries(opened: OpenCase): ReportTimelineEntry[] {
  const eventById = opened.db.prepare('SELECT log, uid, orig_h, resp_h, resp_p FROM events WHERE id = ?');
  return listMarks(opened).map((mark) => {
    const event = eventById.get(mark.eventId) as { log: string; uid: string | null; orig_h: string | null; resp_h: string | null; resp_p: number | null };
    const flow = event.orig_h ? ` ${event.orig_h} → ${event.resp_h ?? '?'}${event.resp_p === null ? '' : `:${event.resp_p}`}` : '';
    const summary = `Marked ${event.log} event${flow}${event.uid ? ` (${event.uid})` : ''}`;
    const description = mark.note === '' ? summary : `${summary}: ${mark.note}`;
    return { ts: mark.ts!, description, source: 'analyst', eventId: mark.eventId };
  });
}
