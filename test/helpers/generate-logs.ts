import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const CONN_HEADER = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#open\t2026-01-09-18-00-00',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\thistory\ttunnel_parents',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tstring\tset[string]',
];

/** Builds one synthetic conn.log line; `i` makes every line and uid distinct. */
export function connLine(i: number, startSeconds = 1767981600): string {
  const ts = (startSeconds + i / 1000).toFixed(6);
  const uid = `C${i.toString(36).padStart(17, '0')}`;
  return `${ts}\t${uid}\t10.1.${(i >> 8) & 255}.${i & 255}\t${1024 + (i % 60000)}\t198.51.100.${i % 250}\t443\ttcp\tssl\t0.${i % 999999}\t${i % 5000}\t${i % 70000}\tSF\tShADadFf\t(empty)`;
}

/** Writes a Zeek TSV conn.log with `lines` records. */
export async function writeConnLog(path: string, lines: number, startSeconds?: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${CONN_HEADER.join('\n')}\n`);
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    chunk += `${connLine(i, startSeconds)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(`${chunk}#close\t2026-01-09-19-00-00\n`);
  out.end();
  await once(out, 'finish');
}

export function connLogText(lines: string[]): string {
  return `${CONN_HEADER.join('\n')}\n${lines.join('\n')}\n`;
}
