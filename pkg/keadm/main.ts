#!/usr/bin/env node
import { runAsProcess } from '../cli';
import { main } from './cli';

void runAsProcess(main);
