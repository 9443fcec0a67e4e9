import type { PacketRow } from './fields.js';
import type { Flow } from './flows.js';
import { microsToZeekTime, type ZeekRecord } from './zeek-record.js';

/** Commands Zeek's ftp.log records by default (its `FTP::logged_commands`). */
const LOGGED_COMMANDS = new Set(['APPE', 'DELE', 'RETR', 'STOR', 'STOU', 'ACCT', 'PORT', 'PASV', 'EPRT', 'EPSV']);

/** Commands whose argument is a file name that Zeek writes as an ftp:// URL. */
const FILE_COMMANDS = new Set(['APPE', 'DELE', 'RETR', 'STOR', 'STOU']);

/** User names whose password Zeek logs, because anonymous logins use an e-mail address as one. */
const ANONYMOUS_USERS = new Set(['anonymous', 'ftp', 'ftpuser', 'guest']);

interface PendingCommand {
  ts: number;
  command: string;
  arg: string;
  /** File size announced in a preliminary reply such as "150 ... (77 bytes)". */
  size?: number;
}

interface Session {
  flow: Flow;
  user?: string;
  password?: string;
  cwd: string;
  pending: PendingCommand[];
  /** The CWD argument awaiting its reply. */
  pendingCwd?: string;
}

/** A data connection announced by PASV, EPSV, PORT or EPRT: its responder's address and port. */
export interface ExpectedDataChannel {
  controlUid: string;
  respH: string;
  respP: number;
  announcedTs: number;
  /** ftp.log record of the transfer that will use this channel, when one follows. */
  transfer?: ZeekRecord;
}

/**
 * Builds ftp.log records, one per logged command with its final reply, as Zeek writes them, and
 * remembers announced data channels so that their connections count as `ftp-data`.
 */
export class FtpLog {
  private readonly sessions = new Map<string, Session>();
  private readonly records: ZeekRecord[] = [];
  readonly dataChannels: ExpectedDataChannel[] = [];

  observe(row: PacketRow, flow: Flow, ts: number): void {
    const session = this.session(flow);
    const commands = row.all('ftp.request.command');
    const args = row.all('ftp.request.arg');
    commands.forEach((command, index) => {
      let arg: string | undefined;
      if (commands.length === args.length) arg = args[index];
      else if (commands.length === 1) arg = args[0];
      this.command(session, ts, command.toUpperCase(), arg ?? '');
    });

    const codes = row.numbers('ftp.response.code');
    const messages = row.all('ftp.response.arg');
    if (codes.length > 0) this.reply(session, row, ts, codes[codes.length - 1] ?? 0, messages[0] ?? '');
  }

  finish(): ZeekRecord[] {
    this.closePending();
    return this.records;
  }

  /**
   * Logs the commands still waiting for a final reply when the capture ended. A transfer among
   * them keeps its data channel, so the partial file still reaches files.log.
   */
  closePending(): void {
    for (const session of this.sessions.values()) {
      for (const pending of session.pending) {
        if (!LOGGED_COMMANDS.has(pending.command)) continue;
        const record = this.record(session, pending);
        if (pending.size !== undefined) record.file_size = pending.size;
        if (FILE_COMMANDS.has(pending.command)) this.linkTransfer(session.flow, record);
        this.records.push(record);
      }
      session.pending = [];
    }
  }

  private session(flow: Flow): Session {
    let session = this.sessions.get(flow.key);
    if (!session) {
      session = { flow, cwd: '.', pending: [] };
      this.sessions.set(flow.key, session);
    }
    return session;
  }

  private command(session: Session, ts: number, command: string, arg: string): void {
    if (command === 'USER') session.user = arg;
    if (command === 'PASS') session.password = arg;
    if (command === 'CWD') session.pendingCwd = arg;
    session.pending.push({ ts, command, arg });
  }

  private reply(session: Session, row: PacketRow, ts: number, code: number, message: string): void {
    const { flow } = session;
    // A 1xx reply is preliminary: the command stays open until its final reply.
    const pending = session.pending[0];
    if (!pending) return;
    if (code >= 100 && code < 200) {
      const size = /\((\d+) bytes\)/.exec(message);
      if (size) pending.size = Number(size[1]);
      return;
    }
    session.pending.shift();

    if (pending.command === 'CWD' && code >= 200 && code < 300 && session.pendingCwd !== undefined) {
      session.cwd = joinPath(session.cwd, session.pendingCwd);
    }
    if (!LOGGED_COMMANDS.has(pending.command)) return;

    const record = this.record(session, pending);
    record.reply_code = code;
    record.reply_msg = message;
    if (pending.size !== undefined) record.file_size = pending.size;
    this.addDataChannel(session, row, ts, pending.command, code, record);
    if (FILE_COMMANDS.has(pending.command)) this.linkTransfer(flow, record);
    this.records.push(record);
  }

  private linkTransfer(flow: Flow, record: ZeekRecord): void {
    const channel = this.dataChannels.findLast((candidate) => candidate.controlUid === flow.uid && !candidate.transfer);
    if (channel) channel.transfer = record;
  }

  private record(session: Session, pending: PendingCommand): ZeekRecord {
    const { flow } = session;
    const record: ZeekRecord = {
      ts: microsToZeekTime(pending.ts),
      uid: flow.uid,
      'id.orig_h': flow.origH,
      'id.orig_p': flow.origP,
      'id.resp_h': flow.respH,
      'id.resp_p': flow.respP,
    };
    if (session.user !== undefined) record.user = session.user;
    if (session.password !== undefined && ANONYMOUS_USERS.has((session.user ?? '').toLowerCase())) record.password = session.password;
    record.command = pending.command;
    if (FILE_COMMANDS.has(pending.command)) record.arg = fileUrl(flow.respH, session.cwd, pending.arg);
    else if (pending.arg !== '') record.arg = pending.arg;
    return record;
  }

  /** Records the data channel a PASV/EPSV reply or a PORT/EPRT command announces. */
  private addDataChannel(session: Session, row: PacketRow, ts: number, command: string, code: number, record: ZeekRecord): void {
    const { flow } = session;
    let channel: { passive: boolean; respH: string; respP: number } | undefined;
    if (command === 'PASV' && code === 227) {
      const port = row.firstNumber('ftp.passive.port');
      if (port !== undefined) channel = { passive: true, respH: row.first('ftp.passive.ip') ?? flow.respH, respP: port };
    } else if (command === 'EPSV' && code === 229) {
      const port = /\(\|\|\|(\d+)\|\)/.exec(String(record.reply_msg));
      if (port) channel = { passive: true, respH: flow.respH, respP: Number(port[1]) };
    } else if (command === 'PORT' && code >= 200 && code < 300) {
      const parts = String(record.arg ?? '').split(',').map(Number);
      if (parts.length === 6) channel = { passive: false, respH: parts.slice(0, 4).join('.'), respP: (parts[4] ?? 0) * 256 + (parts[5] ?? 0) };
    } else if (command === 'EPRT' && code >= 200 && code < 300) {
      const fields = String(record.arg ?? '').split(String(record.arg ?? '|').charAt(0));
      if (fields.length >= 4) channel = { passive: false, respH: fields[2] ?? '', respP: Number(fields[3]) };
    }
    if (!channel) return;

    record['data_channel.passive'] = channel.passive;
    record['data_channel.orig_h'] = channel.passive ? flow.origH : flow.respH;
    record['data_channel.resp_h'] = channel.respH;
    record['data_channel.resp_p'] = channel.respP;
    this.dataChannels.push({ controlUid: flow.uid, respH: channel.respH, respP: channel.respP, announcedTs: ts });
  }
}

/** Zeek's ftp:// URL for a file argument: the server address, the working directory, the name. */
function fileUrl(host: string, cwd: string, name: string): string {
  const path = name.startsWith('/') ? name : `${cwd}/${name}`;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return `ftp://${shownHost}${path.startsWith('/') ? '' : '/'}${path}`;
}

function joinPath(cwd: string, change: string): string {
  if (change.startsWith('/')) return change;
  if (change === '..') return cwd.includes('/') ? cwd.slice(0, cwd.lastIndexOf('/')) || '/' : cwd;
  return `${cwd}/${change}`;
}
