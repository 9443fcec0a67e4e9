import { formatTimeOfDay } from '../format.js';
import type { ReportStage } from '../report-model.js';
import { COLORS, type ReportLayout } from './layout.js';

const BOX_HEIGHT = 50;
const GAP = 22;
const TIME_COLUMN = 78;
const MAX_INDICATORS = 3;

/**
 * Draws the incident stages as a vertical chain of boxes joined by arrows, with each stage's
 * start time to the left of its box. Everything is vector graphics, and a chain longer than the
 * page continues on the next one.
 */
export function drawFlowDiagram(layout: ReportLayout, stages: ReportStage[]): void {
  const { doc } = layout;
  const boxLeft = layout.left + TIME_COLUMN;
  const boxWidth = layout.contentWidth - TIME_COLUMN;
  let previousBottom: number | null = null;

  stages.forEach((stage, index) => {
    if (doc.y + BOX_HEIGHT > layout.bottom) {
      layout.addPage();
      previousBottom = null;
    }
    const top = doc.y;
    if (previousBottom !== null) drawArrow(layout, boxLeft + boxWidth / 2, previousBottom, top);

    doc.roundedRect(boxLeft, top, boxWidth, BOX_HEIGHT, 5).lineWidth(1).fillAndStroke(COLORS.box, COLORS.accent);
    layout.style('bold', 9.5, COLORS.accent).text(`${index + 1}. ${stage.title}`, boxLeft + 8, top + 6, { width: boxWidth - 16, height: 13, ellipsis: true, lineBreak: false });
    const indicators = stage.indicators.slice(0, MAX_INDICATORS).join(', ') + (stage.indicators.length > MAX_INDICATORS ? `, +${stage.indicators.length - MAX_INDICATORS} more` : '');
    if (indicators) layout.style('mono', 8).text(indicators, boxLeft + 8, top + 21, { width: boxWidth - 16, height: 11, ellipsis: true, lineBreak: false });
    if (stage.start !== null && stage.end !== null && stage.end !== stage.start) {
      layout.style('regular', 7.5, COLORS.muted).text(`${formatTimeOfDay(stage.start)} – ${formatTimeOfDay(stage.end)} UTC`, boxLeft + 8, top + 35, { width: boxWidth - 16, lineBreak: false });
    }

    if (stage.start !== null) {
      layout.style('bold', 8.5, COLORS.text).text(formatTimeOfDay(stage.start), layout.left, top + BOX_HEIGHT / 2 - 5, { width: TIME_COLUMN - 10, align: 'right', lineBreak: false });
    }
    previousBottom = top + BOX_HEIGHT;
    doc.x = layout.left;
    doc.y = top + BOX_HEIGHT + GAP;
  });
  doc.y -= GAP / 2;
}

function drawArrow(layout: ReportLayout, x: number, from: number, to: number): void {
  const { doc } = layout;
  const head = 6;
  doc.moveTo(x, from).lineTo(x, to - head).lineWidth(1.2).strokeColor(COLORS.accent).stroke();
  doc.moveTo(x - head / 1.5, to - head).lineTo(x + head / 1.5, to - head).lineTo(x, to).closePath().fill(COLORS.accent);
}
