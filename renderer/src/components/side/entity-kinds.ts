import type { EntityKind, IocType } from '../../../../preload/api.js';

/** Returns the entity kind whose events a pivot on an IOC of `type` shows, when there is one. */
export function entityKindOfIoc(type: IocType | undefined, value: string): EntityKind | undefined {
  switch (type) {
    case 'domain':
      return 'domain';
    case 'ipv4':
    case 'ipv6':
      return 'host';
    case 'email':
      return 'email';
    case 'url':
      return 'url';
    case 'user-agent':
      return 'user_agent';
    case undefined:
      return guessKind(value);
    default:
      return undefined;
  }
}

/** Returns the IOC type of an entity kind, where one matches. Hosts are left to the service, which types them by address. */
export function iocTypeOfEntity(kind: EntityKind | undefined): IocType | undefined {
  switch (kind) {
    case 'domain':
      return 'domain';
    case 'email':
      return 'email';
    case 'url':
      return 'url';
    case 'user_agent':
      return 'user-agent';
    default:
      return undefined;
  }
}

function guessKind(value: string): EntityKind | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value) || (value.includes(':') && /^[0-9a-f:.]+$/i.test(value))) return 'host';
  if (/^[^@\s]+@[^@\s]+$/.test(value)) return 'email';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'url';
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(value)) return 'domain';
  return undefined;
}
