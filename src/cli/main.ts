#!/usr/bin/env node
/** The `webwx` command line (see ../shared/CONTRACT.md). The commands arrive with the CLI issue. */
const command = process.argv[2];
process.stderr.write(`webwx ${command ?? ''}: not there yet — the CLI lands with its issue.\n`);
process.exitCode = 2;
