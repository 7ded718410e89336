#!/usr/bin/env node
/** The `baton` command-line program. */
import { processIo } from './command.js';
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), processIo);
