import type { ApiError, NetcaseApi } from '../../preload/api.js';

/**
 * The one way the renderer reaches the main process. In the desktop app the preload provides
 * `window.netcase`; in the browser test harness a bridge script provides the same object.
 */
export function api(): NetcaseApi {
  return window.netcase;
}

/** Returns the message of a rejected call's `{ code, message }`, or the text of any other error. */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as ApiError).message);
  return String(error);
}
