#!/usr/bin/env node
// Entry point of the `netcase` command; the code is built into out/main by `npm run build`.
import { existsSync } from 'node:fs';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('netcase: the command is not built yet. Run "npm run build" in the Netcase folder first.\n');
  process.exit(1);
}
await import(cli.href);
