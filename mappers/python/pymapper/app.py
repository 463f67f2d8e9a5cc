"""The mapper's lifecycle: serve DeviceMapperService on its socket, register with edgecore (retrying until edgecore is
up), take the devices edgecore returns, run until SIGTERM or SIGINT, then stop cleanly and remove the socket."""
import os
import signal
import socket
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
from kubeedge.dmi.v1beta1 import api_pb2_grpc

from .edgecore import RETRYABLE, EdgeCore
from .errors import MapperError, StartupError
from .registry import Registry
from .service import DeviceMapperService

# Time given to calls in flight when stopping, then to the "offline" reports.
_GRACE_S = 1.0
_OFFLINE_DEADLINE_S = 2.0
# How soon a signal is acted on.
_POLL_S = 0.1


def run(config, log):
    """Runs until a signal (exit status 0) or a registration edgecore refuses for good (StartupError)."""
    stop = threading.Event()
    failure = []
    received = []
    # The handler only records the signal: taking a lock in a handler (a log line, Event.set) can deadlock with the
    # main thread it interrupts. The main thread polls for it below.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda num, _frame: received.append(num))

    _clear_stale_socket(config.socket_path)
    edgecore = EdgeCore(config)
    registry = Registry(config, edgecore, log)
    server = grpc.server(ThreadPoolExecutor(max_workers=8, thread_name_prefix="dmi"))
    api_pb2_grpc.add_DeviceMapperServiceServicer_to_server(DeviceMapperService(registry, log), server)
    try:
        server.add_insecure_port("unix:" + config.socket_path)
    except RuntimeError as error:  # grpcio raises RuntimeError when it cannot bind
        raise StartupError(f"cannot listen on {config.socket_path}: {error}") from error
    server.start()
    # Only edgecore (root) and this mapper's user may call it, as for edgecore's own dmi.sock.
    os.chmod(config.socket_path, 0o600)
    socket_inode = os.lstat(config.socket_path).st_ino
    log.info("serving DeviceMapperService", socket=config.socket_path, protocol=config.protocol)

    # Registered from a thread so the main thread is always free to take a signal.
    registrar = threading.Thread(target=_register, args=(config, edgecore, registry, log, stop, failure),
                                 name="register", daemon=True)
    registrar.start()
    while not received and not stop.is_set():
        time.sleep(_POLL_S)
    if received:
        log.info("stopping", signal=signal.Signals(received[0]).name)
    stop.set()

    server.stop(_GRACE_S).wait()
    registrar.join(config.call_timeout_ms / 1000.0 + 1.0)
    registry.close(_OFFLINE_DEADLINE_S)
    edgecore.close()
    _remove_socket(config.socket_path, socket_inode)
    if failure:
        raise failure[0]
    log.info("stopped")


def _register(config, edgecore, registry, log, stop, failure):
    attempt = 0
    while not stop.is_set():
        attempt += 1
        try:
            response = edgecore.register()
            break
        except grpc.RpcError as error:
            if error.code() not in RETRYABLE:
                failure.append(StartupError(
                    f"edgecore refused MapperRegister ({error.code().name}): {error.details()}"))
                stop.set()
                return
            # The first failure and then every tenth: a mapper may wait for edgecore for a long time.
            if attempt == 1 or attempt % 10 == 0:
                log.warn("edgecore is not reachable yet; retrying MapperRegister", edgecore=config.edgecore_sock,
                         code=error.code().name, detail=error.details(), attempt=attempt,
                         retry_ms=config.register_retry_ms)
            stop.wait(config.register_retry_ms / 1000.0)
    else:
        return
    log.info("registered with edgecore", edgecore=config.edgecore_sock, attempt=attempt,
             models=len(response.modelList), devices=len(response.deviceList))
    # Models first: each device is built against its model. A bad one is logged and skipped, never fatal.
    for model in response.modelList:
        _apply(log, "model", f"{model.namespace}/{model.name}", registry.put_model, model)
    for device in response.deviceList:
        _apply(log, "device", f"{device.namespace}/{device.name}", registry.put_device, device)


def _apply(log, kind, name, fn, pb):
    try:
        fn(pb)
    except MapperError as error:
        log.error(f"{kind} from MapperRegister refused", **{kind: name}, code=error.code, reason=str(error))
    except Exception as error:  # a bug in one device must not keep the others from being served
        log.error(f"{kind} from MapperRegister failed", **{kind: name}, error=repr(error))


def _clear_stale_socket(path):
    """Removes a socket left by a mapper that died; refuses a path that is in use or is not a socket."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise StartupError(f"{path} exists and is not a socket; remove it or set grpc_server.socket_path")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(path)
    except OSError:
        os.unlink(path)  # nobody listens: a leftover
        return
    finally:
        probe.close()
    raise StartupError(f"another process is serving on {path}; stop it or set grpc_server.socket_path")


def _remove_socket(path, inode):
    # Only our own socket: a mapper started meanwhile on the same path keeps its socket.
    try:
        if os.lstat(path).st_ino == inode:
            os.unlink(path)
    except FileNotFoundError:
        pass
