"""Executes a notebook in a kernel started as a Jupyter server starts it, for the integration tests.

python3 notebook_runner.py NOTEBOOK OUTPUT [TIMEOUT]
The kernel named in the notebook's metadata is started by jupyter_client's MultiKernelManager
(connection file kernel-<id>.json; ports from kernel_ports, outside the ephemeral range; started
once more when it dies before it is ready), the cells run through nbclient exactly as
`jupyter nbconvert --execute` runs them (a cell tagged raises-exception may fail, no other), and
the executed notebook is written to OUTPUT. Then one JSON line goes to stdout and the kernel
stays up until a line arrives on stdin, so the test can look at the live kernel's metrics.
"""
import json
import os
import sys

import nbformat
from jupyter_client.multikernelmanager import MultiKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import kernel_ports


def start(mkm, nb, timeout):
    """The kernel started and nbclient's client on it ready, as nbclient sets them up; a kernel that
    died before it was ready (a port taken between choice and bind) is started once more."""
    for attempt in (1, 2):
        kernel_id = mkm.start_kernel(kernel_name=nb.metadata.kernelspec.name, cwd=os.getcwd())
        km = mkm.get_kernel(kernel_id)
        client = NotebookClient(nb, km=km, timeout=timeout, startup_timeout=timeout)
        setup = client.setup_kernel()
        try:
            setup.__enter__()
            return kernel_id, km, client, setup
        except RuntimeError as e:
            died = not km.is_alive()
            if mkm.is_alive(kernel_id):
                mkm.shutdown_kernel(kernel_id, now=True)
            if not died or attempt == 2:
                raise
            sys.stderr.write("notebook_runner: the kernel died before it was ready (%s); starting it once more\n" % e)


def main():
    source, output = sys.argv[1], sys.argv[2]
    timeout = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    nb = nbformat.read(source, as_version=4)
    kernel_ports.install()
    mkm = MultiKernelManager()
    kernel_id, km, client, setup = start(mkm, nb, timeout)
    result = {"kernel_id": kernel_id, "connection_file": km.connection_file}
    try:
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            result["done"] = True
        except CellExecutionError as e:
            result["error"] = str(e)[:2000]
        nbformat.write(nb, output)
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
        sys.stdin.readline()
    finally:
        setup.__exit__(None, None, None)
        if mkm.is_alive(kernel_id):
            mkm.shutdown_kernel(kernel_id, now=False)


if __name__ == "__main__":
    main()
