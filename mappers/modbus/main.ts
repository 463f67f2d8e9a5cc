#!/usr/bin/env node
// The Modbus TCP mapper: node dist/mappers/modbus/main.js --config config.yaml
import { runAsProcess } from '../../pkg/cli';
import { mapperMain } from '../sdk/cli';
import { modbusDriver } from './driver';

void runAsProcess(mapperMain('modbus-mapper', modbusDriver()));
