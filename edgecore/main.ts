#!/usr/bin/env node
import { runAsProcess } from '../pkg/cli';
import { main } from './cli';

void runAsProcess(main);
