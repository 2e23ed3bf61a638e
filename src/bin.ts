#!/usr/bin/env node
import { readFileSync } from 'node:fs';

// The installed command. `--version` alone is answered before the CLI's modules load (parser, rules, analysis:
// most of a run's fixed start-up cost), as yargs would answer it; everything else is the CLI's.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  process.stdout.write(`${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n`);
} else {
  await import('./cli.js');
}
