#!/usr/bin/env node
// The virtual-device mapper: node dist/mappers/virtual/main.js --config config.yaml
import { runAsProcess } from '../../pkg/cli';
import { mapperMain } from '../sdk/cli';
import { virtualDriver } from './driver';

void runAsProcess(mapperMain('virtual-mapper', virtualDriver()));
