"""The mapper's models and devices, and one DeviceWorker per device. Register and update are both "make it so"
(an upsert), and remove is idempotent, so edgecore may resend anything after a restart without an error."""
import threading
import time

from kubeedge.dmi.v1beta1 import api_pb2

from . import names
from .errors import NotFound, Unavailable
from .model import parse_model
from .simdevice import build_device
from .worker import DeviceWorker

STATE_OFFLINE = "offline"


class Registry:
    def __init__(self, config, edgecore, log):
        self._protocol = config.protocol
        self._join_s = config.call_timeout_ms / 1000.0 + 1.0
        self._edgecore = edgecore
        self._log = log
        # One lock for every change: a device is built against the models as they are, and its old worker is
        # stopped before its new one starts, so two reporters of one device never overlap.
        self._lock = threading.Lock()
        self._models = {}  # (namespace, name) -> Model
        self._workers = {}  # (namespace, name) -> DeviceWorker
        self._closed = False

    def put_model(self, pb):
        model = parse_model(pb)
        with self._lock:
            existed = model.key in self._models
            self._models[model.key] = model
        # Devices keep the model they were built with until their next RegisterDevice / UpdateDevice.
        self._log.info("device model updated" if existed else "device model added", model=_name(model.key),
                       properties=sorted(model.properties))
        return model

    def remove_model(self, namespace, name):
        key = (names.namespace(namespace, "modelNamespace"), names.object_name(name, "modelName"))
        with self._lock:
            removed = self._models.pop(key, None) is not None
            users = sorted(_name(k) for k, w in self._workers.items() if w.device.model == key)
        self._log.info("device model removed" if removed else "device model was not known; nothing to remove",
                       model=_name(key), devices_still_using=users)

    def put_device(self, pb):
        with self._lock:
            if self._closed:
                raise Unavailable("the mapper is shutting down")
            key = (names.namespace(pb.namespace, "device.namespace"), names.object_name(pb.name, "device.name"))
            old = self._workers.get(key)
            device, notes = build_device(pb, self._protocol, self._models.get, old.device if old else None)
            if old is not None:
                old.stop(self._join_s)
            worker = DeviceWorker(device, self._edgecore, self._log)
            self._workers[key] = worker
            worker.start()
        for note in notes:
            self._log.info(note)
        self._log.info("device updated" if old else "device registered", device=_name(key),
                       model=_name(device.model), protocol_config=device.protocol_config,
                       properties={p.name: p.signal for p in device.properties})
        return device

    def remove_device(self, namespace, name):
        key = (names.namespace(namespace, "deviceNamespace"), names.object_name(name, "deviceName"))
        with self._lock:
            worker = self._workers.pop(key, None)
            if worker is not None:
                worker.stop(self._join_s)
        self._log.info("device removed" if worker else "device was not registered; nothing to remove",
                       device=_name(key))

    def get_device(self, namespace, name):
        """The device as received, with status.twins holding the latest readings (and desired values)."""
        key = (names.namespace(namespace, "deviceNamespace"), names.object_name(name, "deviceName"))
        with self._lock:
            worker = self._workers.get(key)
        if worker is None:
            raise NotFound(f"device {_name(key)} is not registered with this mapper")
        out = api_pb2.Device()
        out.CopyFrom(worker.device.pb)
        del out.status.twins[:]
        latest = worker.latest()
        for prop in worker.device.properties:
            twin = out.status.twins.add(propertyName=prop.name)
            if prop.desired is not None:
                twin.observedDesired.value = prop.desired
                twin.observedDesired.metadata.update(prop.desired_metadata)
            if prop.name in latest:
                value, timestamp_ms = latest[prop.name]
                twin.reported.value = value
                twin.reported.metadata.update({"timestamp": str(timestamp_ms), "type": prop.type})
        return out

    def close(self, deadline_s):
        """Stops every device and reports it "offline" (best effort, within deadline_s): the mapper that reads it is
        going away. Stops at the first failure: edgecore is down or rate-limits us, and the rest would fail too."""
        with self._lock:
            self._closed = True
            workers = list(self._workers.values())
            self._workers.clear()
        for worker in workers:  # all at once, then wait for each: shutdown takes one call timeout, not one each
            worker.request_stop()
        for worker in workers:
            worker.stop(self._join_s)
        end = time.monotonic() + deadline_s
        for worker in workers:
            left = end - time.monotonic()
            if left <= 0:
                self._log.warn("no time left to report devices offline", devices=len(workers))
                return
            try:
                self._edgecore.report_state(worker.device, STATE_OFFLINE, timeout_s=left)
            except Exception as error:  # grpc.RpcError; anything else must not stop the shutdown either
                self._log.warn("could not report devices offline", error=str(error).splitlines()[0])
                return
        if workers:
            self._log.info("devices reported offline", devices=[_name(w.device.key) for w in workers])


def _name(key):
    return f"{key[0]}/{key[1]}"
