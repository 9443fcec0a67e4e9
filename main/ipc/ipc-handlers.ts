import { CHANNELS, CONTRACT, type Channel, type IpcReply } from '../../preload/api.js';
import { NetcaseError, toErrorData } from '../errors.js';
import { log } from '../log.js';
import { createImplementations, IpcSession, type HandlerDependencies, type Implementations } from './handlers.js';

const logger = log.scope('ipc');

export type IpcHandler = (input: unknown) => Promise<IpcReply<unknown>>;
export type IpcHandlers = Record<Channel, IpcHandler>;

/**
 * Builds one handler per contract method. Each handler checks its argument against the
 * contract's schema and, only when it passes, runs the implementation. Every error comes back
 * as `{ ok: false, error: { code, message, details } }`, never as a thrown exception.
 */
export function createIpcHandlers(deps: HandlerDependencies): { handlers: IpcHandlers; session: IpcSession } {
  const session = new IpcSession(deps.emitJobEvent);
  const implementations = createImplementations(session, deps);
  const handlers = Object.fromEntries(CHANNELS.map((channel) => [channel, createHandler(channel, implementations)])) as IpcHandlers;
  return { handlers, session };
}

function createHandler(channel: Channel, implementations: Implementations): IpcHandler {
  const schema = CONTRACT[channel].input;
  const implementation = implementations[channel] as (input: unknown) => Promise<unknown>;

  return async (input) => {
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
      const summary = issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`)).join('; ');
      return { ok: false, error: new NetcaseError('INVALID_ARGUMENT', `Invalid argument for ${channel}: ${summary}.`, { details: { issues } }).toData() };
    }
    try {
      return { ok: true, value: await implementation(parsed.data) };
    } catch (error) {
      const data = toErrorData(error);
      if (data.code === 'INTERNAL') logger.error({ channel, err: error }, 'handler failed');
      return { ok: false, error: data };
    }
  };
}
