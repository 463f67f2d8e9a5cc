"""The mapper's client of edgecore's DeviceManagerService (MapperRegister, ReportDeviceStatus, ReportDeviceStates)."""
import grpc
from kubeedge.dmi.v1beta1 import api_pb2, api_pb2_grpc

# Codes worth another MapperRegister attempt: edgecore is not up yet, is restarting, is busy or rate-limits us.
RETRYABLE = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.ABORTED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
    }
)


class EdgeCore:
    def __init__(self, config):
        self._config = config
        self._timeout_s = config.call_timeout_ms / 1000.0
        self._channel = grpc.insecure_channel("unix:" + config.edgecore_sock)
        self._stub = api_pb2_grpc.DeviceManagerServiceStub(self._channel)

    def register(self):
        """MapperRegister with withData: returns the MapperRegisterResponse (this protocol's models and devices)."""
        config = self._config
        request = api_pb2.MapperRegisterRequest(
            withData=True,
            mapper=api_pb2.MapperInfo(
                name=config.name,
                version=config.version,
                api_version=config.api_version,
                protocol=config.protocol,
                address=config.socket_path.encode(),
                state="ok",
            ),
        )
        return self._stub.MapperRegister(request, timeout=self._timeout_s)

    def report_twins(self, device, twins):
        """`twins`: [(SimProperty, reported value, timestamp ms)], sent as one ReportDeviceStatus for the device."""
        status = api_pb2.DeviceStatus(
            reportToCloud=device.pb.status.reportToCloud, reportCycle=device.pb.status.reportCycle
        )
        for prop, value, timestamp_ms in twins:
            twin = status.twins.add(propertyName=prop.name)
            twin.reported.value = value
            twin.reported.metadata["timestamp"] = str(timestamp_ms)
            twin.reported.metadata["type"] = prop.type
            # Only a property with a desired value has an observedDesired: an empty one is not a valid twin value.
            if prop.desired is not None:
                twin.observedDesired.value = prop.desired
                metadata = twin.observedDesired.metadata
                metadata.update(prop.desired_metadata)
                # Not setdefault: protobuf's map setdefault stores the type's zero value, not the default given.
                if "type" not in metadata:
                    metadata["type"] = prop.type
        request = api_pb2.ReportDeviceStatusRequest(
            deviceName=device.name, deviceNamespace=device.namespace, reportedDevice=status
        )
        self._stub.ReportDeviceStatus(request, timeout=self._timeout_s)

    def report_state(self, device, state, timeout_s=None):
        request = api_pb2.ReportDeviceStatesRequest(
            deviceName=device.name, deviceNamespace=device.namespace, state=state
        )
        self._stub.ReportDeviceStates(request, timeout=self._timeout_s if timeout_s is None else timeout_s)

    def close(self):
        self._channel.close()
