/**
 * The contract between the renderer and the main process. Every method takes one plain object
 * and returns plain data.
 */
export interface NetcaseApi {
  version(): Promise<{ version: string }>;
}
