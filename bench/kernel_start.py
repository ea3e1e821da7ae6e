"""Starts the Kotlin Jupyter kernel again and again, alternately without and with the agent.

Run with Debian's /usr/bin/python3 (its jupyter_client), from bench/kernel-bench.sh:
  python3 kernel_start.py JAVA AGENT_JAR EMPTY_AGENT_JAR CLASSPATH_FILE LOGBACK_XML ROUNDS [CONTENDERS]
It writes a kernelspec for the kernel (a plain `java` command, as in a real installation) into a
private Jupyter installation of its own (JUPYTER_PATH etc.), so nothing of the machine's Jupyter
set-up takes part, and the kernel keeps its caches in a private home. The agent comes in through
JAVA_TOOL_OPTIONS, as a facility would add it. Every round starts one kernel of each contender
(the order rotates every round, so drift of a noisy machine hurts all alike):
  without agent, with agent                  (default)
  CONTENDERS, a comma-separated choice of: without, with, empty (an agent that does nothing),
  nohooks (the agent with cell-hooks=false); "breakdown" is all four; "other", the agent jar
  named by BENCH_OTHER_AGENT (another build, for an A/B comparison); and "cds", the agent put in
  by `kernelspec install NAME --cds` (the agent jar's own command, run once before the first
  round, on a kernelspec of its own), so the kernel also maps the class-data archive that
  command made; "cdscell" the same with --cds-first-cell (the archive holds a first cell's
  classes too)
and prints one JSON line per kernel on stdout:
  {"round": r, "contender": ..., "ready_ms": ..., "ready_cpu_ms": ..., "first_cell_ms": ..., "cells_ms": ...,
   "rss_kib": ..., "counted": n, "archive_mapped": bool}
ready_ms: from start_kernel() to the kernel_info_reply (wait_for_ready); ready_cpu_ms: the CPU time
the kernel process had used by then (user + system, all its threads: less disturbed by a busy
machine than the wall time); first_cell_ms: the first of the cells alone; cells_ms: ten small
cells, each awaited; rss_kib: the kernel's VmRSS after them; counted: the agent's
jupyter_cell_executions_total{status="ok"} after them (null where the agent does not count
cells), which shows the hooks were really on; archive_mapped: whether the kernel had an
af-metrics.jsa mapped (/proc/PID/maps). Progress goes to stderr. BENCH_KOTLIN_CELLS=0 in the
environment starts the kernels only (no cells, no RSS after them): quicker, for the start alone.
"""
import json
import os
import shutil
import socket
import sys
import tempfile
import time
import urllib.request

NAME = "afm-bench-kotlin"
CDS_NAME = NAME + "-cds"
CDS_CELL_NAME = NAME + "-cdscell"

CELLS = ["val x%d = (1..1000).map { it * %d }.sum()" % (i, i)
         for i in range(int(os.environ.get("BENCH_KOTLIN_CELLS", "10")))]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ms(pid):
    """User + system CPU time the process has used so far (/proc/PID/stat), in ms."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def await_reply(kc, msg_id, timeout=120):
    while True:
        msg = kc.get_shell_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"]


def counted_ok(port):
    body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10).read().decode()
    total = 0
    for line in body.splitlines():
        if line.startswith("jupyter_cell_executions_total{") and 'status="ok"' in line:
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def private_jupyter(java, classpath_file, logback):
    """A private Jupyter installation holding the kernel's kernelspec; returns its directory."""
    d = tempfile.mkdtemp(prefix="afm-kernel-bench-")
    for sub in ("kernels/" + NAME, "runtime", "config", "home"):
        os.makedirs(os.path.join(d, sub))
    with open(classpath_file) as f:
        cp = f.read().strip()
    spec = {
        "argv": [java, "-Dlogback.configurationFile=" + logback, "-cp", cp,
                 "org.jetbrains.kotlinx.jupyter.IkotlinKt", "{connection_file}",
                 "-cp=" + cp, "-home=" + os.path.join(d, "home")],
        "display_name": NAME, "language": "kotlin", "interrupt_mode": "message", "env": {},
    }
    with open(os.path.join(d, "kernels", NAME, "kernel.json"), "w") as f:
        json.dump(spec, f, indent=1)
    for k in list(os.environ):
        if k.startswith(("JUPYTER", "JPY_", "AF_METRICS_")) or k in ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"):
            del os.environ[k]
    os.environ.update({"JUPYTER_PATH": d, "JUPYTER_DATA_DIR": d, "JUPYTER_RUNTIME_DIR": os.path.join(d, "runtime"),
                       "JUPYTER_CONFIG_DIR": os.path.join(d, "config"), "JUPYTER_PLATFORM_DIRS": "1"})
    return d


def install_cds(java, agent_jar, d, name, option):
    """A copy of the kernelspec with the agent and its class-data archive put in by the agent's own command
    (option: --cds or --cds-first-cell).

    Returns the agent's port (fixed at install, so the scrape after the cells finds it)."""
    import subprocess
    shutil.copytree(os.path.join(d, "kernels", NAME), os.path.join(d, "kernels", name))
    port = free_port()
    sys.stderr.write("kernelspec install %s %s ...\n" % (name, option))
    t0 = time.monotonic()
    subprocess.run([java, "-jar", agent_jar, "kernelspec", "install", name, option, "--jar", agent_jar,
                    "--agent-args", "port=%d" % port], check=True, stdout=sys.stderr)
    sys.stderr.write("  made in %.1f s\n" % (time.monotonic() - t0))
    return port


def one(name, jar, agent_args, port=None):
    """One kernel: jar None (no agent, or the one its kernelspec has), agent_args None (an agent
    without arguments) or the agent's; port: the agent's where its kernelspec fixes it."""
    from jupyter_client.manager import KernelManager
    env = dict(os.environ)  # start_kernel(env=...) replaces the environment, it does not add to it
    if jar is not None and agent_args is None:
        env["JAVA_TOOL_OPTIONS"] = "-javaagent:" + jar
    elif jar is not None:
        # a free port of our own (rather than port=0) so the scrape below finds the exporter
        port = free_port()
        env["JAVA_TOOL_OPTIONS"] = "-javaagent:%s=port=%d%s" % (jar, port, agent_args)
    km = KernelManager(kernel_name=name)
    t0 = time.monotonic()
    km.start_kernel(env=env)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=180)
        ready_ms = (time.monotonic() - t0) * 1000
        pid = km.provisioner.process.pid
        ready_cpu_ms = cpu_ms(pid)
        with open("/proc/%d/maps" % pid) as f:
            mapped = any(line.rstrip().endswith("/af-metrics.jsa") for line in f)
        t1 = time.monotonic()
        first_cell_ms = None
        for code in CELLS:
            content = await_reply(kc, kc.execute(code))
            if content.get("status") != "ok":
                raise RuntimeError("cell failed: %s %s" % (code, content))
            if first_cell_ms is None:
                first_cell_ms = (time.monotonic() - t1) * 1000
        cells_ms = (time.monotonic() - t1) * 1000
        rss = vm_rss_kib(pid)
        counted = (counted_ok(port) if CELLS and port is not None and "cell-hooks=false" not in (agent_args or "")
                   else None)
        return {"ready_ms": round(ready_ms, 1), "ready_cpu_ms": round(ready_cpu_ms, 1),
                "first_cell_ms": round(first_cell_ms, 1) if first_cell_ms is not None else None,
                "cells_ms": round(cells_ms, 1), "rss_kib": rss, "counted": counted, "archive_mapped": mapped}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


def main():
    java, agent_jar, empty_jar, classpath_file, logback, rounds = sys.argv[1:6] + [int(sys.argv[6])]
    known = {"without": ("without agent", NAME, None, None), "with": ("with agent", NAME, agent_jar, ""),
             "empty": ("empty agent", NAME, empty_jar, None),
             "nohooks": ("agent, cell-hooks=false", NAME, agent_jar, ",cell-hooks=false"),
             "other": ("other agent", NAME, os.environ.get("BENCH_OTHER_AGENT"), ""),
             "cds": ("agent + --cds", CDS_NAME, None, None),
             "cdscell": ("agent + --cds-first-cell", CDS_CELL_NAME, None, None)}
    choice = sys.argv[7] if len(sys.argv) > 7 else "without,with"
    if choice == "breakdown":
        choice = "without,with,empty,nohooks"
    contenders = [known[c] for c in choice.split(",")]
    d = private_jupyter(java, classpath_file, logback)
    try:
        ports = {}
        if "cds" in choice.split(","):
            ports[CDS_NAME] = install_cds(java, agent_jar, d, CDS_NAME, "--cds")
        if "cdscell" in choice.split(","):
            ports[CDS_CELL_NAME] = install_cds(java, agent_jar, d, CDS_CELL_NAME, "--cds-first-cell")
        # one unmeasured start of each: the OS page cache and the kernel's own caches warm up
        for r in range(-1, rounds):
            k = max(r, 0) % len(contenders)
            for name, spec, jar, args in contenders[k:] + contenders[:k]:
                res = one(spec, jar, args, ports.get(spec))
                res["round"] = r
                res["contender"] = name
                sys.stderr.write("kotlin kernel round %d, %s: ready %.0f ms (CPU %.0f ms), first cell %s ms, %d cells %.0f ms,"
                                 " RSS %d KiB\n" % (r, name, res["ready_ms"], res["ready_cpu_ms"],
                                                     "%.0f" % res["first_cell_ms"] if res["first_cell_ms"] else "-",
                                                     len(CELLS), res["cells_ms"], res["rss_kib"]))
                if r >= 0:
                    sys.stdout.write(json.dumps(res) + "\n")
                    sys.stdout.flush()
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
