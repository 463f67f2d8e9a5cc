#!/usr/bin/python3
"""Debian's pymodbus Modbus TCP server (its own server and datastore, unchanged) with known register values, for
the Modbus mapper's tests. Run with the system interpreter (mappers/modbus/testing/install.sh installs pymodbus).

  pymodbus-server.py [--port N] [--unit ID] [--size N] [--values JSON]

--values sets initial values: {"co": {"0": 1}, "di": {...}, "hr": {"10": [1, 2]}, "ir": {...}} (address -> value or
list of values from that address). Addresses are the protocol's (zero-based); each table holds --size values, so a
request past the end gets pymodbus's ILLEGAL DATA ADDRESS exception (code 2).

Prints one JSON line {"port": N} once listening on 127.0.0.1. Then reads JSON lines on stdin and answers each with
one JSON line, reading and writing the server's own datastore:
  {"op": "get", "table": "hr", "address": 10, "count": 2}  ->  {"values": [1, 2]}
  {"op": "set", "table": "hr", "address": 10, "values": [3]}  ->  {"ok": true}
Ends on SIGTERM or when stdin closes.
"""
import argparse
import asyncio
import json
import logging
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer

# Function codes pymodbus's slave context uses to pick a table: coils, discrete inputs, holding, input registers.
TABLE_CODES = {"co": 1, "di": 2, "hr": 3, "ir": 4}


def build_context(unit, size, values):
    blocks = {table: ModbusSequentialDataBlock(0, [0] * size) for table in TABLE_CODES}
    for table, entries in values.items():
        if table not in blocks:
            raise SystemExit(f"--values: unknown table {table!r}; use one of {', '.join(TABLE_CODES)}")
        for address, value in entries.items():
            blocks[table].setValues(int(address), value if isinstance(value, list) else [value])
    # zero_mode: protocol address N is datastore index N (pymodbus otherwise adds one).
    slave = ModbusSlaveContext(di=blocks["di"], co=blocks["co"], hr=blocks["hr"], ir=blocks["ir"], zero_mode=True)
    return ModbusServerContext(slaves={unit: slave}, single=False), slave


def answer(slave, line):
    try:
        request = json.loads(line)
        code = TABLE_CODES[request["table"]]
        if request["op"] == "get":
            values = slave.getValues(code, int(request["address"]), int(request.get("count", 1)))
            return {"values": [int(v) for v in values]}
        if request["op"] == "set":
            slave.setValues(code, int(request["address"]), list(request["values"]))
            return {"ok": True}
        return {"error": f"unknown op {request['op']!r}"}
    except Exception as error:  # pylint: disable=broad-except
        return {"error": f"{type(error).__name__}: {error}"}


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--unit", type=int, default=1)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--values", default="{}")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    context, slave = build_context(args.unit, args.size, json.loads(args.values))
    server = await StartAsyncTcpServer(context, address=("127.0.0.1", args.port), defer_start=True,
                                       allow_reuse_address=True)
    serving = asyncio.create_task(server.serve_forever())
    await server.serving
    port = server.server.sockets[0].getsockname()[1]
    print(json.dumps({"port": port}), flush=True)

    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if line == "":
            break
        if line.strip():
            print(json.dumps(answer(slave, line)), flush=True)
    await server.shutdown()
    serving.cancel()


if __name__ == "__main__":
    asyncio.run(main())
