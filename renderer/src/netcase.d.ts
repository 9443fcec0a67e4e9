import type { NetcaseApi } from '../../preload/api.js';

declare global {
  interface Window {
    /** The contract's methods, exposed by the preload. */
    netcase: NetcaseApi;
  }
}

export {};
