import type { PacketRow } from './fields.js';
import type { Flow } from './flows.js';
import type { FileLog } from './files.js';
import { microsToZeekTime, type ZeekRecord } from './zeek-record.js';

interface Session {
  flow: Flow;
  helo?: string;
  /** SASL mechanism of the session's AUTH command (LOGIN, PLAIN, ...). */
  auth?: string;
  tls: boolean;
  depth: number;
  current?: ZeekRecord;
  /** The message was seen and the server's reply to its end is awaited. */
  messageDone: boolean;
}

/**
 * Builds smtp.log records, one per mail transaction (MAIL, RCPT, DATA) as Zeek writes them,
 * from the commands, replies and message headers (IMF) tshark decodes.
 */
export class SmtpLog {
  private readonly sessions = new Map<string, Session>();
  private readonly records: ZeekRecord[] = [];

  constructor(private readonly files: FileLog) {}

  observe(row: PacketRow, flow: Flow, ts: number): void {
    const session = this.session(flow);
    const commands = row.all('smtp.req.command');
    const parameters = row.all('smtp.req.parameter');
    commands.forEach((command, index) => {
      let parameter: string | undefined;
      if (commands.length === parameters.length) parameter = parameters[index];
      else if (commands.length === 1) parameter = parameters[0];
      this.command(session, ts, command.toUpperCase(), parameter ?? '');
    });

    if (row.has('imf.from') || row.has('imf.subject') || row.has('imf.date') || row.has('imf.to')) this.message(session, row, ts);

    const replyCodes = row.all('smtp.response.code');
    if (replyCodes.length > 0) this.reply(session, replyCodes, row.all('smtp.rsp.parameter'));
  }

  finish(): ZeekRecord[] {
    for (const session of this.sessions.values()) this.logCurrent(session);
    return this.records;
  }

  private session(flow: Flow): Session {
    let session = this.sessions.get(flow.key);
    if (!session) {
      session = { flow, tls: false, depth: 0, messageDone: false };
      this.sessions.set(flow.key, session);
    }
    return session;
  }

  private command(session: Session, ts: number, command: string, parameter: string): void {
    switch (command) {
      case 'HELO':
      case 'EHLO':
        session.helo = parameter;
        if (session.current) session.current.helo = parameter;
        return;
      case 'MAIL': {
        if (session.current?.mailfrom !== undefined) this.logCurrent(session);
        const record = this.transaction(session, ts);
        record.mailfrom = mailAddress(parameter);
        return;
      }
      case 'RCPT': {
        const record = this.transaction(session, ts);
        const list = (record.rcptto as string[] | undefined) ?? [];
        const address = mailAddress(parameter);
        if (!list.includes(address)) list.push(address);
        record.rcptto = list;
        return;
      }
      // Zeek's smtp.log has no AUTH field. This engine adds auth_mechanism because AUTH on a
      // session without STARTTLS means the credentials crossed the network readable.
      case 'AUTH':
        session.auth = parameter.trim().split(/\s+/)[0]?.toUpperCase() || 'AUTH';
        this.transaction(session, ts).auth_mechanism = session.auth;
        return;
      case 'STARTTLS':
        session.tls = true;
        this.transaction(session, ts).tls = true;
        return;
      case 'RSET':
      case 'QUIT':
        if (session.current?.mailfrom !== undefined || session.current?.rcptto !== undefined) this.logCurrent(session);
        return;
      default:
        this.transaction(session, ts);
    }
  }

  private message(session: Session, row: PacketRow, ts: number): void {
    const record = this.transaction(session, ts);
    const header = (name: Parameters<PacketRow['first']>[0]) => unfold(row.first(name));
    setText(record, 'date', header('imf.date'));
    setText(record, 'from', header('imf.from'));
    setList(record, 'to', header('imf.to'));
    setList(record, 'cc', header('imf.cc'));
    setText(record, 'reply_to', header('imf.reply_to'));
    setText(record, 'msg_id', header('imf.message_id'));
    setText(record, 'in_reply_to', header('imf.in_reply_to'));
    setText(record, 'subject', header('imf.subject'));
    setText(record, 'user_agent', header('imf.ext.mailer') ?? header('imf.user_agent'));
    const received = row.all('imf.received').map((value) => unfold(value) ?? '');
    setText(record, 'first_received', received[0]);
    setText(record, 'second_received', received[1]);
    const originatingIp = extensionValue(row, 'x-originating-ip')?.replace(/^\[|\]$/g, '');
    setText(record, 'x_originating_ip', originatingIp);

    // Zeek's path: the server, the client, then each Received header's address, newest first.
    const path = [session.flow.respH, session.flow.origH];
    for (const value of received) {
      const address = addressInReceived(value);
      if (address) path.push(address);
    }
    record.path = path;

    const files = this.files.addMailParts(row, session.flow, ts);
    if (files.length > 0) record.fuids = files.map((file) => file.fuid);
    session.messageDone = true;
  }

  private reply(session: Session, codes: string[], messages: string[]): void {
    const code = codes[codes.length - 1];
    const message = messages.length === codes.length ? messages[messages.length - 1] : undefined;
    if (session.current) session.current.last_reply = message === undefined ? `${code}` : `${code} ${message}`;
    if (session.messageDone) this.logCurrent(session);
  }

  /** Returns the session's open transaction, starting one at the first command that needs it. */
  private transaction(session: Session, ts: number): ZeekRecord {
    if (session.current) return session.current;
    session.depth += 1;
    const { flow } = session;
    // The first transaction is dated at the connection start, as in the expected Zeek output.
    const start = session.depth === 1 ? flow.firstTs : ts;
    const record: ZeekRecord = {
      ts: microsToZeekTime(start),
      uid: flow.uid,
      'id.orig_h': flow.origH,
      'id.orig_p': flow.origP,
      'id.resp_h': flow.respH,
      'id.resp_p': flow.respP,
      trans_depth: session.depth,
    };
    if (session.helo !== undefined) record.helo = session.helo;
    if (session.auth !== undefined) record.auth_mechanism = session.auth;
    record.tls = session.tls;
    session.current = record;
    return record;
  }

  private logCurrent(session: Session): void {
    const record = session.current;
    session.current = undefined;
    session.messageDone = false;
    if (!record) return;
    // A session that switched to TLS is logged even without a visible message, as Zeek does.
    const hasMail = record.mailfrom !== undefined || record.rcptto !== undefined || record.subject !== undefined || record.from !== undefined;
    if (hasMail || record.tls === true) this.records.push(record);
  }
}

/** Extracts the address from a MAIL FROM or RCPT TO parameter, without angle brackets and options. */
export function mailAddress(parameter: string): string {
  const bracketed = /<([^>]*)>/.exec(parameter);
  if (bracketed) return bracketed[1] ?? '';
  const afterColon = parameter.replace(/^(FROM|TO)\s*:\s*/i, '');
  return afterColon.split(/\s+/)[0] ?? '';
}

function extensionValue(row: PacketRow, name: string): string | undefined {
  const types = row.all('imf.extension.type');
  const values = row.all('imf.extension.value');
  const index = types.findIndex((type) => type.toLowerCase() === name);
  return index === -1 || types.length !== values.length ? undefined : values[index];
}

/**
 * Unfolds a header value (RFC 5322). tshark prints the line break of a folded header as the
 * escape text \\r\\n, which is removed before the whitespace that follows it.
 */
function unfold(value: string | undefined): string | undefined {
  return value?.replace(/(?:\\r)?\\n(?=[ \t])/g, '');
}

/** Finds the first IPv4 address in a Received header, preferring one in brackets as MTAs write it. */
function addressInReceived(value: string): string | undefined {
  const bracketed = /\[(\d{1,3}(?:\.\d{1,3}){3})\]/.exec(value);
  if (bracketed) return bracketed[1];
  return /\b(\d{1,3}(?:\.\d{1,3}){3})\b/.exec(value)?.[1];
}

function setText(record: ZeekRecord, key: string, value: string | undefined): void {
  if (value !== undefined && value !== '') record[key] = value;
}

/** Zeek splits address headers at commas into a set. */
function setList(record: ZeekRecord, key: string, value: string | undefined): void {
  if (value === undefined || value === '') return;
  record[key] = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
