"""One thread per registered device: reads its properties every collectCycle, reports the latest readings with one
ReportDeviceStatus every reportCycle (the properties due together share a call), and reports its state ("ok") when it
starts and, if the device asks for state reports (status.reportToCloud), every status.reportCycle."""
import threading
import time

import grpc

from .simdevice import read

STATE_OK = "ok"
# Event.wait refuses very long timeouts; a device with a cycle of days just wakes up hourly to re-check.
_MAX_WAIT_S = 3600.0


class DeviceWorker:
    def __init__(self, device, edgecore, log, clock=time.monotonic, wall_ms=lambda: int(time.time() * 1000)):
        self.device = device
        self._edgecore = edgecore
        self._log = log.child(device=f"{device.namespace}/{device.name}")
        self._clock = clock
        self._wall_ms = wall_ms
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._latest = {}  # property name -> (value, timestamp ms)
        self._failing = None  # the status code of the failing calls, None while calls succeed
        self._thread = threading.Thread(target=self._run, name=f"device-{device.namespace}/{device.name}", daemon=True)

    def start(self):
        self._thread.start()

    def request_stop(self):
        self._stop.set()

    def stop(self, timeout_s):
        """Stops the loop and waits for a call in flight, so no report for this device follows the return."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def latest(self):
        with self._lock:
            return dict(self._latest)

    def _run(self):
        try:
            self._loop()
        except Exception as error:  # a bug: say so rather than let the device go silent without a word
            self._log.error("device loop failed; the device reports no more", error=repr(error))

    def _loop(self):
        device = self.device
        reported = [p for p in device.properties if p.report_to_cloud]
        for prop in device.properties:
            if not prop.report_to_cloud:
                self._log.info("property not reported: its reportToCloud is false", property=prop.name)
        now = self._clock()
        next_collect = {p.name: now for p in device.properties}
        next_report = {p.name: now for p in reported}
        next_state = now + device.state_cycle_ms / 1000.0 if device.state_report else None
        self._call("ReportDeviceStates", self._edgecore.report_state, device, STATE_OK)
        while not self._stop.is_set():
            now = self._clock()
            for prop in device.properties:
                if now >= next_collect[prop.name]:
                    self._collect(prop, now)
                    next_collect[prop.name] = _next(next_collect[prop.name], prop.collect_cycle_ms, now)
            due = [p for p in reported if now >= next_report[p.name]]
            if due:
                latest = self.latest()
                twins = [(p, *latest[p.name]) for p in due]
                for prop in due:
                    next_report[prop.name] = _next(next_report[prop.name], prop.report_cycle_ms, now)
                self._call("ReportDeviceStatus", self._edgecore.report_twins, device, twins)
            if next_state is not None and now >= next_state:
                next_state = _next(next_state, device.state_cycle_ms, now)
                self._call("ReportDeviceStates", self._edgecore.report_state, device, STATE_OK)
            wake = min([*next_collect.values(), *next_report.values(), *([next_state] if next_state else [])],
                       default=None)
            timeout = _MAX_WAIT_S if wake is None else min(max(wake - self._clock(), 0.0), _MAX_WAIT_S)
            self._stop.wait(timeout)

    def _collect(self, prop, now):
        value = read(self.device, prop, now)
        with self._lock:
            self._latest[prop.name] = (value, self._wall_ms())

    def _call(self, what, fn, *args):
        if self._stop.is_set():
            return
        try:
            fn(*args)
        except grpc.RpcError as error:
            # Logged when calls start failing or fail differently, not on every cycle: edgecore may be down a while.
            if self._failing != error.code():
                self._failing = error.code()
                self._log.warn(f"{what} to edgecore failed", code=error.code().name, detail=error.details())
            return
        if self._failing is not None:
            self._log.info("reports to edgecore resumed", after=self._failing.name)
            self._failing = None
        self._log.debug(f"{what} sent")


def _next(previous, cycle_ms, now):
    """The next due time on the cycle's grid; a late loop (slow edgecore) skips the missed slots, never bursts."""
    due = previous + cycle_ms / 1000.0
    return due if due > now else now + cycle_ms / 1000.0
