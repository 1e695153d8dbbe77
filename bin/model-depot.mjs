#!/usr/bin/env node
// The command line runs the TypeScript sources through tsx, so a clone works without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../sidecar/cli/main.ts');
