"""DeviceMapperService: what edgecore calls on this mapper's socket. Each call is checked, applied to the Registry and
logged; a refused call gets the gRPC status of its MapperError with a message that names the field."""
import grpc
from kubeedge.dmi.v1beta1 import api_pb2, api_pb2_grpc

from . import names
from .errors import InvalidArgument, MapperError


class DeviceMapperService(api_pb2_grpc.DeviceMapperServiceServicer):
    def __init__(self, registry, log):
        self._registry = registry
        self._log = log

    def RegisterDevice(self, request, context):
        device = self._call(context, "RegisterDevice", lambda: self._registry.put_device(_device(request)))
        return api_pb2.RegisterDeviceResponse(deviceName=device.name, deviceNamespace=device.namespace)

    def UpdateDevice(self, request, context):
        self._call(context, "UpdateDevice", lambda: self._registry.put_device(_device(request)))
        return api_pb2.UpdateDeviceResponse()

    def RemoveDevice(self, request, context):
        self._call(context, "RemoveDevice",
                   lambda: self._registry.remove_device(request.deviceNamespace, request.deviceName))
        return api_pb2.RemoveDeviceResponse()

    def GetDevice(self, request, context):
        device = self._call(context, "GetDevice",
                            lambda: self._registry.get_device(request.deviceNamespace, request.deviceName))
        return api_pb2.GetDeviceResponse(device=device)

    def CreateDeviceModel(self, request, context):
        model = self._call(context, "CreateDeviceModel", lambda: self._registry.put_model(_model(request)))
        return api_pb2.CreateDeviceModelResponse(deviceModelName=model.name, deviceModelNamespace=model.namespace)

    def UpdateDeviceModel(self, request, context):
        self._call(context, "UpdateDeviceModel", lambda: self._registry.put_model(_model(request)))
        return api_pb2.UpdateDeviceModelResponse()

    def RemoveDeviceModel(self, request, context):
        self._call(context, "RemoveDeviceModel",
                   lambda: self._registry.remove_model(request.modelNamespace, request.modelName))
        return api_pb2.RemoveDeviceModelResponse()

    def _call(self, context, method, fn):
        try:
            return fn()
        except MapperError as error:
            self._log.warn(f"{method} refused", code=error.code, reason=str(error))
            context.abort(grpc.StatusCode[error.code], str(error))
        except Exception as error:  # a bug: report it as INTERNAL rather than let grpc answer UNKNOWN with no text
            self._log.error(f"{method} failed", error=repr(error))
            context.abort(grpc.StatusCode.INTERNAL, f"{method}: internal error: {error}")


def _device(request):
    if not request.HasField("device"):
        raise InvalidArgument("device is required")
    # Checked here as well as in build_device so the message is the same whatever else is wrong.
    names.object_name(request.device.name, "device.name")
    return request.device


def _model(request):
    if not request.HasField("model"):
        raise InvalidArgument("model is required")
    return request.model
