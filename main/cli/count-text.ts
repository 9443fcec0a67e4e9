/** Returns a count with its noun in the singular or plural, as in "1 record" or "3 records". */
export function countText(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
