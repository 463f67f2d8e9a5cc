#!/usr/bin/env node
// First, so that what loads next is compiled under them.
import { applyMemoryFlags } from './memory-flags';
applyMemoryFlags();

import { runAsProcess } from '../pkg/cli';
import { main } from './cli';

void runAsProcess(main);
