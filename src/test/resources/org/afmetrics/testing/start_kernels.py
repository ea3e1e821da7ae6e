"""Starts N kernels of one kernelspec through jupyter_client, as a notebook server would.

Prints one JSON line per kernel (kernel id, pid, connection file), then polls the kernels as a
notebook server does (so one that exits is reaped) until a line arrives on stdin, and shuts down
whatever of them still runs.
"""
import json
import subprocess
import sys
import threading

from jupyter_client.multikernelmanager import MultiKernelManager

import kernel_ports  # copied beside this script by JupyterKernels


def main():
    name, count = sys.argv[1], int(sys.argv[2])
    kernel_ports.install()  # ports outside the ephemeral range
    # no restarter: a notebook server would start a killed kernel again (whose agent then cleans up
    # the old target file itself), but the tests stop kernels on purpose and look at what is left
    mkm = MultiKernelManager(kernel_manager_class="jupyter_client.manager.KernelManager")
    # the kernels' own output must not mix with the lines the test reads
    ids = [mkm.start_kernel(kernel_name=name, stdout=subprocess.DEVNULL) for _ in range(count)]
    for kid in ids:
        km = mkm.get_kernel(kid)
        print(json.dumps({"kernel_id": kid, "pid": km.provisioner.pid,
                          "connection_file": km.connection_file}), flush=True)
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.readline(), done.set()), daemon=True).start()
    while not done.wait(0.2):
        for kid in ids:
            mkm.get_kernel(kid).is_alive()
    for kid in ids:
        try:
            mkm.shutdown_kernel(kid, now=True)
        except Exception:  # already gone: the test stopped it
            pass


if __name__ == "__main__":
    main()
