import type { PacketRow } from './fields.js';
import type { Flow } from './flows.js';
import { CIPHER_SUITE_NAMES, NAMED_GROUP_NAMES } from './tls-names.js';
import { microsToZeekTime, type ZeekRecord } from './zeek-record.js';

const HANDSHAKE_CLIENT_HELLO = 1;
const HANDSHAKE_SERVER_HELLO = 2;
const HANDSHAKE_CERTIFICATE = 11;
const RECORD_CHANGE_CIPHER_SPEC = 20;
const RECORD_APPLICATION_DATA = 23;

const VERSION_NAMES: Record<number, string> = {
  0x0300: 'SSLv3',
  0x0301: 'TLSv10',
  0x0302: 'TLSv11',
  0x0303: 'TLSv12',
  0x0304: 'TLSv13',
  0xfeff: 'DTLSv10',
  0xfefd: 'DTLSv12',
};

interface Session {
  flow: Flow;
  serverName?: string;
  version?: number;
  cipher?: number;
  curve?: number;
  nextProtocol?: string;
  serverHello: boolean;
  serverCertificate: boolean;
  changeCipherSpec: { orig: boolean; resp: boolean };
  applicationData: { orig: boolean; resp: boolean };
}

/**
 * Builds ssl.log records, one per TLS connection, from the handshake messages tshark decodes.
 * A session counts as established once both sides switched to encryption: ChangeCipherSpec from
 * both up to TLS 1.2, application data from both in TLS 1.3, where ChangeCipherSpec is optional.
 */
export class SslLog {
  private readonly sessions = new Map<string, Session>();

  observe(row: PacketRow, flow: Flow, fromOrig: boolean): void {
    const handshakeTypes = row.numbers('tls.handshake.type');
    let session = this.sessions.get(flow.key);
    if (!session) {
      if (!handshakeTypes.includes(HANDSHAKE_CLIENT_HELLO) && !handshakeTypes.includes(HANDSHAKE_SERVER_HELLO)) return;
      session = newSession(flow);
      this.sessions.set(flow.key, session);
    }

    if (handshakeTypes.includes(HANDSHAKE_CLIENT_HELLO) && fromOrig) {
      session.serverName ??= row.first('tls.handshake.extensions_server_name');
    }
    if (handshakeTypes.includes(HANDSHAKE_SERVER_HELLO) && !fromOrig) {
      session.serverHello = true;
      const selected = parseInt(row.first('tls.handshake.extensions.supported_version') ?? '', 16);
      const legacy = parseInt(row.first('tls.handshake.version') ?? '', 16);
      session.version = Number.isNaN(selected) ? legacy : selected;
      const cipher = parseInt(row.first('tls.handshake.ciphersuite') ?? '', 16);
      if (!Number.isNaN(cipher)) session.cipher = cipher;
      session.nextProtocol = row.first('tls.handshake.extensions_alpn_str') ?? session.nextProtocol;
      const keyShare = parseInt(row.first('tls.handshake.extensions_key_share_group') ?? '', 10);
      if (!Number.isNaN(keyShare)) session.curve = keyShare;
    }
    // Up to TLS 1.2 the server names its ECDHE curve in the ServerKeyExchange message.
    const namedCurve = parseInt(row.first('tls.handshake.server_named_curve') ?? '', 16);
    if (!fromOrig && !Number.isNaN(namedCurve)) session.curve = namedCurve;
    if (handshakeTypes.includes(HANDSHAKE_CERTIFICATE) && !fromOrig) session.serverCertificate = true;

    // TLS 1.3 hides the real type of encrypted records behind the outer (opaque) type 23.
    const recordTypes = [...row.numbers('tls.record.content_type'), ...row.numbers('tls.record.opaque_type')];
    const side = fromOrig ? 'orig' : 'resp';
    if (recordTypes.includes(RECORD_CHANGE_CIPHER_SPEC)) session.changeCipherSpec[side] = true;
    if (recordTypes.includes(RECORD_APPLICATION_DATA)) session.applicationData[side] = true;
  }

  finish(): ZeekRecord[] {
    return [...this.sessions.values()].map(sessionRecord);
  }
}

function newSession(flow: Flow): Session {
  return {
    flow,
    serverHello: false,
    serverCertificate: false,
    changeCipherSpec: { orig: false, resp: false },
    applicationData: { orig: false, resp: false },
  };
}

/** ts is the connection's first packet, the time the expected Zeek output uses for ssl.log. */
function sessionRecord(session: Session): ZeekRecord {
  const { flow } = session;
  const record: ZeekRecord = {
    ts: microsToZeekTime(flow.firstTs),
    uid: flow.uid,
    'id.orig_h': flow.origH,
    'id.orig_p': flow.origP,
    'id.resp_h': flow.respH,
    'id.resp_p': flow.respP,
  };
  if (session.version !== undefined) record.version = VERSION_NAMES[session.version] ?? `unknown-${session.version}`;
  if (session.cipher !== undefined) record.cipher = CIPHER_SUITE_NAMES[session.cipher] ?? `unknown-${session.cipher}`;
  if (session.curve !== undefined) record.curve = NAMED_GROUP_NAMES[session.curve] ?? `unknown-${session.curve}`;
  if (session.serverName !== undefined) record.server_name = session.serverName;

  const tls13 = session.version === 0x0304;
  // Up to TLS 1.2 a handshake that skips the server certificate resumes an earlier session.
  record.resumed = session.serverHello && !tls13 && !session.serverCertificate && session.changeCipherSpec.resp;
  if (session.nextProtocol !== undefined) record.next_protocol = session.nextProtocol;
  record.established = tls13
    ? session.applicationData.orig && session.applicationData.resp
    : session.changeCipherSpec.orig && session.changeCipherSpec.resp;
  return record;
}
