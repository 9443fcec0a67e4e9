/** True when a drag carries files (not text or a link dragged from the page). */
export function hasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}
