"""Ports for the kernels the integration tests start, chosen outside the ephemeral port range.

jupyter_client picks a kernel's five ZeroMQ ports by binding port 0, which gives ports of the
ephemeral range (/proc/sys/net/ipv4/ip_local_port_range): the range every outgoing connection of
the machine takes its local port from. With many connections open or in TIME_WAIT, a port found
free that way is often taken again before the kernel binds it, and the kernel dies with
"Address already in use". Here the ports come from outside that range (below it by default),
each one checked free by binding it without SO_REUSEADDR (so a port a connection in TIME_WAIT
still holds counts as taken). start_ready() starts a kernel and, when it died before it was
ready (a port taken between choice and bind, by another test run), starts it once more.

AFM_KERNEL_PORTS=LOW-HIGH sets the range to choose from.

python3 kernel_ports.py N    prints N ports chosen as for one kernel manager, as a JSON list
python3 kernel_ports.py      prints the ranges ports are chosen from, as a JSON list of [low, high]
"""
import json
import os
import random
import socket
import sys

EPHEMERAL = "/proc/sys/net/ipv4/ip_local_port_range"
# leave the well-known and the commonly configured service ports alone
FLOOR = 10000
CEILING = 65535


def ephemeral_range(path=EPHEMERAL):
    try:
        with open(path) as f:
            low, high = (int(x) for x in f.read().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def ranges():
    """The ranges [low, high] ports are chosen from: AFM_KERNEL_PORTS, or around the ephemeral range."""
    explicit = os.environ.get("AFM_KERNEL_PORTS")
    if explicit:
        low, high = (int(x) for x in explicit.split("-"))
        return [(low, high)]
    low, high = ephemeral_range()
    out = []
    if low - 1 - FLOOR >= 1000:
        out.append((FLOOR, low - 1))
    if CEILING - (high + 1) >= 1000:
        out.append((high + 1, CEILING))
    if not out:
        raise RuntimeError("the ephemeral port range %d-%d leaves no room for kernel ports; set AFM_KERNEL_PORTS"
                           % (low, high))
    return out


def bindable(ip, port):
    """True when nothing holds the port on ip: a socket binds it without SO_REUSEADDR."""
    s = socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((ip, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def choose(ip, taken, rng=random):
    """A free port outside the ephemeral range, not in taken (ports handed out already)."""
    spans = ranges()
    sizes = [high - low + 1 for low, high in spans]
    for _ in range(5000):
        pick = rng.randrange(sum(sizes))
        for (low, _high), size in zip(spans, sizes):
            if pick < size:
                port = low + pick
                break
            pick -= size
        if port not in taken and bindable(ip, port):
            return port
    raise RuntimeError("no free port in %s" % spans)


def install():
    """Makes jupyter_client's port cache choose as choose() does, for every kernel started from here."""
    from jupyter_client.connect import LocalPortCache

    def find_available_port(self, ip):
        port = choose(ip, self.currently_used_ports)
        self.currently_used_ports.add(port)
        return port

    LocalPortCache.find_available_port = find_available_port


def start_ready(mkm, timeout, **start_args):
    """Starts a kernel and waits until it answers; one that died first (a port taken) is started once more.

    Returns (kernel_id, kernel_manager, started client)."""
    for attempt in (1, 2):
        kernel_id = mkm.start_kernel(**start_args)
        km = mkm.get_kernel(kernel_id)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=timeout)
            return kernel_id, km, kc
        except RuntimeError as e:
            kc.stop_channels()
            died = not km.is_alive()
            mkm.shutdown_kernel(kernel_id, now=True)
            if not died or attempt == 2:
                raise
            sys.stderr.write("kernel_ports: the kernel died before it was ready (%s); starting it once more\n" % e)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        taken = set()
        for _ in range(int(sys.argv[1])):
            taken.add(choose("127.0.0.1", taken))
        print(json.dumps(sorted(taken)))
    else:
        print(json.dumps([list(r) for r in ranges()]))
