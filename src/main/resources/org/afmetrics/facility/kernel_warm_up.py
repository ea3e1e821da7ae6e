"""The first requests a notebook sends a new kernel, sent with jupyter_client.

python kernel_warm_up.py CONNECTION_FILE TIMEOUT [CELL]

A kernel_info_request, then (with CELL) an execute_request of that cell, each awaited for at most
TIMEOUT seconds. Exit status: 0 when the kernel answered both, 2 when it did not, 3 when this
Python has no jupyter_client; one line on stderr says why.
"""
import sys


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write("usage: kernel_warm_up.py CONNECTION_FILE TIMEOUT [CELL]\n")
        return 64
    connection_file, timeout = argv[1], float(argv[2])
    cell = argv[3] if len(argv) > 3 else None
    try:
        from jupyter_client import BlockingKernelClient
    except ImportError as e:
        sys.stderr.write("no jupyter_client: %s\n" % e)
        return 3
    client = BlockingKernelClient(connection_file=connection_file)
    client.load_connection_file()
    client.start_channels()
    try:
        step = "kernel_info_request"
        try:
            client.kernel_info(reply=True, timeout=timeout)
            if cell is not None:
                step = "execute_request"
                reply = client.execute(cell, reply=True, timeout=timeout, store_history=True,
                                       allow_stdin=False, stop_on_error=True)
                sys.stdout.write("execute_reply: %s\n" % reply["content"].get("status"))
        except Exception as e:  # a timeout, or a kernel that went away
            sys.stderr.write("no reply to the %s within %g s (%s)\n" % (step, timeout, type(e).__name__))
            return 2
        return 0
    finally:
        client.stop_channels()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
