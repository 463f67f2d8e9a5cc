/**
 * What the Python mapper's tests need before they start it: Debian's python3 with python3-grpcio and python3-protobuf
 * (install.sh), and fresh stubs (gen-stubs.sh). A missing part fails the test with the command that fixes it.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's interpreter, the one python3-grpcio and python3-protobuf install into (a pyenv python3 sees neither). */
export const PYTHON = '/usr/bin/python3';
export const MAPPER_DIR = resolve(__dirname, '..');
export const MAPPER_SCRIPT = resolve(MAPPER_DIR, 'mapper.py');

export async function preparePythonMapper(): Promise<void> {
  try {
    await run(PYTHON, ['-c', 'import grpc, google.protobuf; assert grpc.__version__']);
  } catch (error) {
    throw new Error(
      `${PYTHON} cannot import grpc and google.protobuf: run mappers/python/install.sh (as root) to install ` +
        `python3-grpcio and python3-protobuf. ${(error as { stderr?: string }).stderr ?? String(error)}`,
      { cause: error },
    );
  }
  try {
    await run(resolve(MAPPER_DIR, 'gen-stubs.sh'), [], { cwd: MAPPER_DIR });
  } catch (error) {
    // gen-stubs.sh names install.sh itself when protoc or grpc_python_plugin is missing.
    throw new Error(`mappers/python/gen-stubs.sh failed: ${(error as { stderr?: string }).stderr ?? String(error)}`, {
      cause: error,
    });
  }
}
