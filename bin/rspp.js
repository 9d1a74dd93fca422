#!/usr/bin/env node
// Launches the TypeScript CLI through tsx so `npx rspp` works right after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../tools/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
