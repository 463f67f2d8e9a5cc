"""JSON-lines logs on stdout, one object a line, shaped like the TypeScript programs' (pino): level, time, name, msg."""
import json
import sys
import threading
from datetime import datetime, timezone

LEVELS = {"debug": 10, "info": 20, "warn": 30, "error": 40}


class Logger:
    def __init__(self, name, level="info", stream=None, fields=None, _lock=None):
        if level not in LEVELS:
            raise ValueError(f"unknown log level {level!r}; use one of {', '.join(LEVELS)}")
        self._name = name
        self._level = level
        self._threshold = LEVELS[level]
        self._stream = stream if stream is not None else sys.stdout
        self._fields = dict(fields or {})
        # Shared by children so lines from several threads never interleave.
        self._lock = _lock or threading.Lock()

    def child(self, **fields):
        return Logger(self._name, self._level, self._stream, {**self._fields, **fields}, self._lock)

    def debug(self, msg, **fields):
        self._write("debug", msg, fields)

    def info(self, msg, **fields):
        self._write("info", msg, fields)

    def warn(self, msg, **fields):
        self._write("warn", msg, fields)

    def error(self, msg, **fields):
        self._write("error", msg, fields)

    def _write(self, level, msg, fields):
        if LEVELS[level] < self._threshold:
            return
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        record = {"level": level, "time": now, "name": self._name, **self._fields, **fields, "msg": msg}
        # A field may not hide these (their places in the line stay first).
        record.update(level=level, time=now, name=self._name)
        line = json.dumps(record, default=str, separators=(",", ":"))
        with self._lock:
            self._stream.write(line + "\n")
            # Flushed each line: stdout is block-buffered when piped, and a killed mapper must not lose its last words.
            self._stream.flush()
