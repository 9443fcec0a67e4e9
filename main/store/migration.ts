/** One schema step for case.sqlite. `version` orders the steps; `sql` runs in one transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
