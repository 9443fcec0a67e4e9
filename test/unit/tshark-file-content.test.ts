import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileHasher } from '../../main/engines/tshark/file-hash.js';
import { HttpConversation } from '../../main/engines/tshark/http-body.js';
import { MimeParser } from '../../main/engines/tshark/mime.js';
import { SmtpSession } from '../../main/engines/tshark/smtp-data.js';
import { TcpReassembler, type StreamConsumer } from '../../main/engines/tshark/tcp-stream.js';

function md5(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

/** Feeds text to a parser in pieces of `size` bytes, so that lines cross chunk edges. */
function writeInPieces(target: { write(chunk: Buffer): void }, text: string, size: number): void {
  const bytes = Buffer.from(text, 'latin1');
  for (let offset = 0; offset < bytes.length; offset += size) target.write(bytes.subarray(offset, offset + size));
}

function recorder(): StreamConsumer & { chunks: Buffer[]; gaps: number[]; ended: boolean } {
  const state = {
    chunks: [] as Buffer[],
    gaps: [] as number[],
    ended: false,
    data: (chunk: Buffer) => state.chunks.push(Buffer.from(chunk)),
    gap: (length: number) => state.gaps.push(length),
    end: () => (state.ended = true),
  };
  return state;
}

describe('FileHasher', () => {
  it('hashes bytes in pieces', () => {
    const hasher = new FileHasher();
    hasher.update(Buffer.from('hello '));
    hasher.update(Buffer.from('world'));
    expect(hasher.bytes).toBe(11);
    expect(hasher.digest()?.md5).toBe(md5('hello world'));
    expect(hasher.digest()?.sha256).toBe(createHash('sha256').update('hello world').digest('hex'));
  });

  it('gives no hashes after a gap', () => {
    const hasher = new FileHasher();
    hasher.update(Buffer.from('start'));
    hasher.gap(100);
    hasher.update(Buffer.from('end'));
    expect(hasher.digest()).toBeUndefined();
    expect(hasher.missingBytes).toBe(100);
  });

  it('gives no hashes for no bytes', () => {
    expect(new FileHasher().digest()).toBeUndefined();
  });
});

describe('TcpReassembler', () => {
  it('orders segments and drops retransmissions', () => {
    const out = recorder();
    const stream = new TcpReassembler(out, true);
    stream.segment(6, 5, Buffer.from('world'));
    stream.segment(1, 5, Buffer.from('hello'));
    stream.segment(1, 5, Buffer.from('hello'));
    stream.segment(9, 4, Buffer.from('ld!!'));
    stream.end();
    expect(Buffer.concat(out.chunks).toString()).toBe('helloworld!!');
    expect(out.gaps).toEqual([]);
    expect(out.ended).toBe(true);
  });

  it('reports a lost segment as a gap', () => {
    const out = recorder();
    const stream = new TcpReassembler(out, true);
    stream.segment(1, 3, Buffer.from('abc'));
    stream.segment(7, 3, Buffer.from('ghi'));
    stream.end();
    expect(Buffer.concat(out.chunks).toString()).toBe('abcghi');
    expect(out.gaps).toEqual([3]);
  });

  it('reports a lost first segment after SYN', () => {
    const out = recorder();
    const stream = new TcpReassembler(out, true);
    stream.segment(4, 3, Buffer.from('def'));
    stream.end();
    expect(out.gaps).toEqual([3]);
  });

  it('gives up waiting past 4 MiB held', () => {
    const out = recorder();
    const stream = new TcpReassembler(out, true);
    const segment = Buffer.alloc(64 * 1024, 7);
    for (let index = 0; index < 70; index++) stream.segment(101 + index * segment.length, segment.length, segment);
    expect(out.gaps).toEqual([100]);
    expect(Buffer.concat(out.chunks).length).toBe(70 * segment.length);
    expect(out.ended).toBe(false);
  });

  it('counts bytes cut by the snap length', () => {
    const out = recorder();
    const stream = new TcpReassembler(out, true);
    stream.segment(1, 10, Buffer.from('abcd'));
    stream.segment(11, 2, Buffer.from('kl'));
    stream.end();
    expect(Buffer.concat(out.chunks).toString()).toBe('abcdkl');
    expect(out.gaps).toEqual([6]);
  });
});

describe('MimeParser', () => {
  const message = [
    'From: a@example.com',
    'Content-Type: multipart/mixed;',
    '\tboundary="outer"',
    '',
    'preamble, not content',
    '--outer',
    'Content-Type: multipart/alternative; boundary=inner',
    '',
    '--inner',
    'Content-Type: text/plain',
    '',
    'plain line 1',
    'plain line 2',
    '--inner',
    'Content-Type: text/html',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    '<p>caf=C3=A9 soft=',
    'break</p>   ',
    '--inner--',
    '--outer',
    'Content-Type: application/octet-stream; name="data.bin"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="data.bin"',
    '',
    'AAEC',
    'AwQF',
    'Bg==',
    '--outer--',
    'epilogue',
    '',
  ].join('\r\n');

  function parse(chunkSize: number): MimeParser {
    const parser = new MimeParser();
    writeInPieces(parser, message, chunkSize);
    parser.end();
    return parser;
  }

  it('finds leaves with Zeek depths', () => {
    const parser = parse(7);
    expect(parser.leaves.map((leaf) => leaf.depth)).toEqual([3, 4, 5]);
    expect(parser.leaves.map((leaf) => leaf.contentType?.split(';')[0])).toEqual(['text/plain', 'text/html', 'application/octet-stream']);
    expect(parser.leaves[2]?.disposition).toBe('attachment; filename="data.bin"');
    expect(parser.ended).toBe(true);
  });

  it('leaves the CRLF before a boundary out', () => {
    expect(parse(7).leaves[0]?.hasher.digest()?.md5).toBe(md5('plain line 1\r\nplain line 2'));
  });

  it('decodes quoted-printable with hard breaks kept', () => {
    const expected = Buffer.concat([Buffer.from('<p>caf'), Buffer.from([0xc3, 0xa9]), Buffer.from(' softbreak</p>\r\n')]);
    expect(parse(5).leaves[1]?.hasher.digest()?.md5).toBe(md5(expected));
  });

  it('decodes base64 across lines', () => {
    const leaf = parse(3).leaves[2]!;
    expect(leaf.hasher.bytes).toBe(7);
    expect(leaf.hasher.digest()?.md5).toBe(md5(Buffer.from([0, 1, 2, 3, 4, 5, 6])));
  });

  it('keeps the last line break at message end', () => {
    const parser = new MimeParser();
    writeInPieces(parser, 'Subject: x\r\n\r\nline one\r\nline two\r\n', 4);
    parser.end();
    expect(parser.leaves[0]?.depth).toBe(1);
    expect(parser.leaves[0]?.hasher.digest()?.md5).toBe(md5('line one\r\nline two\r\n'));
  });

  it('makes no file of an empty last part', () => {
    const parser = new MimeParser('multipart/form-data; boundary=b');
    writeInPieces(parser, '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n2\r\n--b\r\n\r\n', 6);
    parser.end();
    expect(parser.leaves).toHaveLength(1);
    expect(parser.leaves[0]?.hasher.digest()?.md5).toBe(md5('2'));
  });
});

describe('SmtpSession', () => {
  function send(session: SmtpSession, client: string[], server: string[]): void {
    for (let index = 0; index < Math.max(client.length, server.length); index++) {
      if (server[index] !== undefined) session.server.data(Buffer.from(`${server[index]}\r\n`));
      if (client[index] !== undefined) session.client.data(Buffer.from(`${client[index]}\r\n`));
    }
  }

  it('undoes dot-stuffing in DATA', () => {
    const session = new SmtpSession();
    send(session, ['EHLO x', 'DATA', 'Subject: s\r\n\r\n..leading dot\r\n.'], ['220 ready', '250 ok', '354 go']);
    expect(session.messages).toHaveLength(1);
    expect(session.messages[0]?.ended).toBe(true);
    expect(session.messages[0]?.leaves[0]?.hasher.digest()?.md5).toBe(md5('.leading dot\r\n'));
  });

  it('reads no message after a rejected DATA', () => {
    const session = new SmtpSession();
    send(session, ['EHLO x', 'DATA', 'QUIT'], ['220 ready', '250 ok', '554 no valid recipients']);
    expect(session.messages).toEqual([]);
  });
});

describe('HttpConversation', () => {
  it('hashes a chunked gzip body decoded', async () => {
    const conversation = new HttpConversation();
    const body = Buffer.from('the decoded body '.repeat(100));
    const zipped = gzipSync(body);
    const half = Math.floor(zipped.length / 2);
    const chunked = Buffer.concat([
      Buffer.from(`${half.toString(16)}\r\n`),
      zipped.subarray(0, half),
      Buffer.from(`\r\n${(zipped.length - half).toString(16)};ext=1\r\n`),
      zipped.subarray(half),
      Buffer.from('\r\n0\r\n\r\n'),
    ]);
    conversation.requests.data(Buffer.from('GET /a HTTP/1.1\r\nHost: h\r\n\r\n'));
    const head = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n');
    for (const piece of [head, chunked]) for (let offset = 0; offset < piece.length; offset += 50) conversation.responses.data(piece.subarray(offset, offset + 50));
    conversation.responses.end();
    await Promise.all(conversation.bodies.map((candidate) => candidate.settled));

    expect(conversation.bodies).toHaveLength(1);
    const [file] = conversation.bodies[0]!.files();
    expect(conversation.bodies[0]?.ordinal).toBe(1);
    expect(file?.bytes).toBe(body.length);
    expect(file?.digest()?.md5).toBe(md5(body));
  });

  it('skips the body of a HEAD reply', () => {
    const conversation = new HttpConversation();
    conversation.requests.data(Buffer.from('HEAD /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n'));
    conversation.responses.data(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody'));
    conversation.responses.end();
    expect(conversation.bodies.map((candidate) => candidate.ordinal)).toEqual([2]);
    expect(conversation.bodies[0]?.files()[0]?.digest()?.md5).toBe(md5('body'));
  });

  it('reads no body after CONNECT', () => {
    const conversation = new HttpConversation();
    conversation.requests.data(Buffer.from('CONNECT mail.example:25 / HTTP/1.0\r\n\r\n'));
    conversation.responses.data(Buffer.from('HTTP/1.0 200 Connection established\r\n\r\n220 mail.example ESMTP\r\n'));
    conversation.responses.end();
    expect(conversation.bodies).toEqual([]);
  });

  it('reads an HTTP/0.9 reply', () => {
    const conversation = new HttpConversation();
    conversation.requests.data(Buffer.from('GET /\r\n'));
    conversation.responses.data(Buffer.from('<html>'));
    conversation.responses.data(Buffer.from('</html>'));
    conversation.responses.end();
    expect(conversation.bodies.map((candidate) => [candidate.isOrig, candidate.ordinal])).toEqual([[false, 1]]);
    expect(conversation.bodies[0]?.files()[0]?.digest()?.md5).toBe(md5('<html></html>'));
  });

  it('keeps a body cut short', () => {
    const conversation = new HttpConversation();
    conversation.requests.data(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    conversation.responses.data(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial'));
    conversation.responses.end();
    const [file] = conversation.bodies[0]!.files();
    expect(file?.bytes).toBe(7);
    expect(file?.digest()?.md5).toBe(md5('partial'));
  });

  it('drops hashes after a gap', () => {
    const conversation = new HttpConversation();
    conversation.requests.data(Buffer.from('POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc'));
    conversation.requests.gap(4);
    conversation.requests.data(Buffer.from('hij'));
    conversation.requests.end();
    const [file] = conversation.bodies[0]!.files();
    expect(file?.missingBytes).toBe(4);
    expect(file?.digest()).toBeUndefined();
  });
});
