"""Drives one Jupyter kernel the way a notebook server does, for the integration tests.

Started with Debian's /usr/bin/python3: python3 kernel_driver.py KERNEL_NAME [TIMEOUT [FIRST_CELL]]
With FIRST_CELL, that cell is sent the moment the kernel's first kernel_info_reply arrives and the
ready answer carries its "first_msg_id" (await its reply like a submitted cell's).
The kernel is found through JUPYTER_PATH and started by jupyter_client's MultiKernelManager, so
it gets a kernel-<id>.json connection file like under a Jupyter server; its ports come from
kernel_ports (outside the ephemeral range), and a kernel that dies before it is ready is
started once more. Commands arrive as JSON
lines on stdin, answers leave as JSON lines on stdout:
  {"op": "execute", "code": "..."}            -> {"status": "ok|error|abort", ...} after the reply
  {"op": "submit", "code": "..."}             -> {"msg_id": "..."} at once; the cell keeps running
  {"op": "await", "msg_id": "...", "timeout": s} -> the reply of a submitted cell
  {"op": "interrupt"}                         -> {"interrupted": true}
  {"op": "shutdown"}                          -> {"shutdown": true}, then exit
"""
import json
import sys

from jupyter_client.multikernelmanager import MultiKernelManager

import kernel_ports


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def await_reply(kc, msg_id, timeout):
    while True:
        msg = kc.get_shell_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            content = msg["content"]
            return {"status": content.get("status"), "ename": content.get("ename"),
                    "evalue": content.get("evalue"), "execution_count": content.get("execution_count")}


def main():
    name = sys.argv[1]
    kernel_ports.install()
    mkm = MultiKernelManager()
    kernel_id, km, kc = kernel_ports.start_ready(mkm, float(sys.argv[2]) if len(sys.argv) > 2 else 180,
                                                 kernel_name=name)
    ready = {"ready": True, "kernel_id": kernel_id, "connection_file": km.connection_file}
    if len(sys.argv) > 3:
        ready["first_msg_id"] = kc.execute(sys.argv[3])
    say(ready)
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            cmd = json.loads(line)
            op = cmd["op"]
            try:
                if op == "execute":
                    msg_id = kc.execute(cmd["code"])
                    say(await_reply(kc, msg_id, cmd.get("timeout", 120)))
                elif op == "submit":
                    say({"msg_id": kc.execute(cmd["code"])})
                elif op == "await":
                    say(await_reply(kc, cmd["msg_id"], cmd.get("timeout", 120)))
                elif op == "interrupt":
                    km.interrupt_kernel()
                    say({"interrupted": True})
                elif op == "shutdown":
                    break
                else:
                    say({"error": "unknown op " + op})
            except Exception as e:  # the test reads the failure instead of a silent hang
                say({"error": type(e).__name__ + ": " + str(e)})
    finally:
        kc.stop_channels()
        mkm.shutdown_kernel(kernel_id, now=False)
        say({"shutdown": True})


if __name__ == "__main__":
    main()
