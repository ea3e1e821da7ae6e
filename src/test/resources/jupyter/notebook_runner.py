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


def main():
    source, output = sys.argv[1], sys.argv[2]
    timeout = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    nb = nbformat.read(source, as_version=4)
    kernel_ports.install()
    mkm = MultiKernelManager()
    kernel_id, km, kc = kernel_ports.start_ready(mkm, timeout, kernel_name=nb.metadata.kernelspec.name,
                                                 cwd=os.getcwd())
    kc.stop_channels()  # nbclient opens its own client on the kernel, now ready
    client = NotebookClient(nb, km=km, timeout=timeout, startup_timeout=timeout)
    result = {"kernel_id": kernel_id, "connection_file": km.connection_file}
    try:
        with client.setup_kernel():
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
        if mkm.is_alive(kernel_id):
            mkm.shutdown_kernel(kernel_id, now=False)


if __name__ == "__main__":
    main()
