#!/usr/bin/env python3
"""Checker benchmark: vigild's health checker beside Debian's keepalived 2.2.7 checker
(`keepalived -C`), in the same run, on the same keepalived.conf, against the same listeners.

Everything runs in a network namespace that this script creates and always removes. Its lo
holds 198.51.100.0/24 and 203.0.113.0/24 (the real servers: up to 250 addresses x 40 ports,
8001-8040) and 192.0.2.0/24 (the virtual servers, 100 real servers each). The real servers are
bench/checker_listener.c, one epoll process pinned to CPU 1 that accepts and closes
(TCP_CHECK) or answers "HTTP/1.0 200 OK" (HTTP_GET) and stamps every accept per destination.
The checker under test is pinned to CPU 0.

Per scenario and implementation, after a warm-up, over a measurement window:
  rate      checks per second, counted at the listener (accepted connections);
  cpu       utime+stime of the checker's processes (/proc/PID/stat) per 1,000 checks, and
            CPU 0's busy share (/proc/stat, includes softirq: the loopback handshakes);
  memory    RSS and PSS of the checker process (keepalived: its checker child);
  period    the time between successive accepts for the same address:port: mean, p50, p99,
            and the mean's excess over delay_loop;
  flaps     "Removing service" lines in the checker's log (none expected: retry 1,
            connect_timeout 3, every listener up).
keepalived has no IPVS to talk to on this kernel; bench/ipvs_shim.c (LD_PRELOAD) answers its
IPVS socket options as an empty IPVS 1.2.1 would. vigild programs its nftables dataplane
(`lb_dataplane nftables vigil_bench`, the only line in which the two configuration files
differ). Checker traffic to the real servers is exempt from conntrack (a `notrack` table,
loaded for both implementations) so that Vigil's NAT table does not put conntrack on the
checker's path and the kernel does the same work for both.

In the saturation scenario (c) a third program runs the same way: bench/tcp_floor.c, the
same TCP checks with nothing around them (one socket per server, all in flight, registered
once with an edge-triggered epoll, a passed check reset with connect(AF_UNSPEC)). Its CPU per
check and rate are the kernel's floor on this machine, printed beside the checkers' and the
targets.

Usage: checker_bench.py VIGILD [--quick] [--which vigild,keepalived,floor]
                               [--only a,b,c,d1,d2] [--keep]
(root; about 6 minutes on a quiet machine, --quick about 3. The machine may be shared: a
window during which either core was more than 10 % busy with other work is measured again,
up to 3 times, and one that stays disturbed is flagged in the output.)
"""
import argparse
import array
import atexit
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
TICK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
FIRST_PORT, PORTS = 8001, 40
PER_VS = 100
WINDOW_ATTEMPTS = 3
CHECKER_CPU, LISTENER_CPU = 0, 1
NS = f"vigilbench-{os.getpid()}"

# keepalived's figures measured earlier on this machine (from the issue), for reference only.
TARGET_CPU_RATIO = 0.5   # vigild's CPU per check at most half of keepalived's
TARGET_SAT_RATIO = 2.0   # vigild's one-core saturation rate at least twice keepalived's
TARGET_PERIOD_MS = 2.0   # period within 2 ms of delay_loop + the check's own duration

procs = []        # every Popen this script started (killed on exit)
tmp = tempfile.mkdtemp(prefix="vigil-checker-")
ns_made = False


def sh(*args, check=True, input=None):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       input=input)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def in_ns(*args):
    return ["ip", "netns", "exec", NS] + list(args)


# ---------------------------------------------------------------------------------------------
# Setup and cleanup

def build_helpers():
    out = {}
    for src, dst, flags in (("ipvs_shim.c", "ipvs_shim.so", ["-shared", "-fPIC"]),
                            ("checker_listener.c", "checker_listener", []),
                            ("tcp_floor.c", "tcp_floor", [])):
        out[dst] = os.path.join(tmp, dst)
        sh("gcc", "-O2", "-Wall", *flags, "-o", out[dst], os.path.join(HERE, src), "-ldl")
    return out


def make_namespace():
    global ns_made
    sh("ip", "netns", "add", NS)
    ns_made = True
    sh("ip", "-n", NS, "link", "set", "lo", "up")
    # A /24 on lo makes every address of it local: the real servers and the virtual servers.
    for prefix in ("198.51.100.1/24", "203.0.113.1/24", "192.0.2.1/24"):
        sh("ip", "-n", NS, "addr", "add", prefix, "dev", "lo")
    for kv in ("net.core.somaxconn=65535", "net.ipv4.tcp_max_syn_backlog=65535",
               "net.ipv4.ip_local_port_range=10000 65000", "net.ipv4.tcp_tw_reuse=1",
               "net.ipv6.conf.all.disable_ipv6=1"):
        sh(*in_ns("sysctl", "-qw", kv))
    # The checkers' traffic skips conntrack, for both implementations (see the docstring).
    sh(*in_ns("nft", "-f", "-"), input=(
        "table inet vigilbench_notrack {\n"
        " chain out { type filter hook output priority raw; policy accept;\n"
        "  ip daddr { 198.51.100.0/24, 203.0.113.0/24 } notrack\n"
        "  ip saddr { 198.51.100.0/24, 203.0.113.0/24 } notrack\n }\n"
        " chain pre { type filter hook prerouting priority raw; policy accept;\n"
        "  ip daddr { 198.51.100.0/24, 203.0.113.0/24 } notrack\n"
        "  ip saddr { 198.51.100.0/24, 203.0.113.0/24 } notrack\n }\n"
        "}\n"))


def kill_tree_of(p):
    """SIGTERM, then SIGKILL to the process group of a Popen started here (own session)."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(p.pid, signal.SIGKILL)  # stragglers of the group (keepalived's child)
    except ProcessLookupError:
        pass
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def cleanup():
    for p in procs:
        kill_tree_of(p)
    procs.clear()
    if ns_made:
        subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)
    if not ARGS.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("logs kept in", tmp)


def on_signal(sig, frame):
    raise KeyboardInterrupt(f"signal {sig}")


# ---------------------------------------------------------------------------------------------
# Configuration

def server_addr(n):
    j = n // PORTS
    ip = f"198.51.100.{j + 1}" if j < 125 else f"203.0.113.{j - 125 + 1}"
    return ip, FIRST_PORT + n % PORTS


def write_config(path, servers, kind, delay_loop, vigil):
    out = ["global_defs {", "  router_id checker_bench"]
    if vigil:
        out.append("  lb_dataplane nftables vigil_bench")
    out.append("}")
    for vs in range((servers + PER_VS - 1) // PER_VS):
        out += [f"virtual_server 192.0.2.{vs + 1} 80 {{", f"  delay_loop {delay_loop}",
                "  lb_algo rr", "  lb_kind NAT", "  protocol TCP"]
        for n in range(vs * PER_VS, min(servers, (vs + 1) * PER_VS)):
            ip, port = server_addr(n)
            out += [f"  real_server {ip} {port} {{", "    weight 1"]
            if kind == "tcp":
                out += ["    TCP_CHECK {", "      connect_timeout 3", "      retry 1", "    }"]
            else:
                out += ["    HTTP_GET {", "      url {", "        path /",
                        "        status_code 200", "      }", "      connect_timeout 3",
                        "      retry 1", "    }"]
            out.append("  }")
        out.append("}")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


# ---------------------------------------------------------------------------------------------
# Measurement helpers

def children():
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except OSError:
                pass
    return kids


def tree(pid):
    kids, out, todo = children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def ksoftirqd(cpu):
    """The pid of the core's softirq thread: the loopback handshakes the benchmark itself
    causes run there when a core's softirq load is high, so its time is not other jobs' work."""
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/comm") as f:
                    if f.read().strip() == f"ksoftirqd/{cpu}":
                        return [int(d)]
            except OSError:
                pass
    return []


def cpu_ticks(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total


def core_busy(cpu):
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith(f"cpu{cpu} "):
                v = [int(x) for x in line.split()[1:]]
                idle = v[3] + v[4]
                return sum(v[:8]) - idle, sum(v[:8])
    return 0, 1


def cpu_split(pids):
    u = s = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            u, s = u + int(fields[11]), s + int(fields[12])
        except OSError:
            pass
    return u, s


def wait_quiet(limit=60):
    """Waits (up to `limit` s) until both cores are nearly idle: the machine is shared, and
    another job's load on the checker's core would distort every figure. Returns the busy
    share seen last."""
    t0 = time.monotonic()
    while True:
        a = [core_busy(c) for c in (0, 1)]
        time.sleep(1)
        b = [core_busy(c) for c in (0, 1)]
        busy = max(100 * (b[i][0] - a[i][0]) / max(1, b[i][1] - a[i][1]) for i in (0, 1))
        if busy < 10 or time.monotonic() - t0 > limit:
            return busy


def memory(pid):
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def pct(sorted_v, q):
    if not sorted_v:
        return float("nan")
    return sorted_v[min(len(sorted_v) - 1, int(q * len(sorted_v)))]


class Listener:
    def __init__(self, binary, mode):
        self.p = subprocess.Popen(
            in_ns("taskset", "-c", str(LISTENER_CPU), binary, mode, str(FIRST_PORT), str(PORTS)),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
        procs.append(self.p)
        if self.p.stdout.readline().strip() != "ready":
            raise RuntimeError("the listener did not start")

    def cmd(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().strip()

    def report(self):
        path = os.path.join(tmp, "samples.bin")
        words = self.cmd("report " + path).split()
        r = {words[i]: int(words[i + 1]) for i in range(0, len(words) - 1, 2)}
        a = array.array("I")
        with open(path, "rb") as f:
            a.frombytes(f.read())
        r["periods_ms"] = sorted(x / 1000.0 for x in a)
        return r

    def stop(self):
        try:
            self.cmd("quit")
        except (BrokenPipeError, OSError):
            pass
        kill_tree_of(self.p)
        procs.remove(self.p)


def check_duration_ms(mode, n=300):
    """The median time of one check from a client in the namespace (Python: an upper bound)."""
    code = (
        "import socket,time,statistics\n"
        f"mode={mode!r}\n"
        "ts=[]\n"
        f"for i in range({n}):\n"
        "    t=time.perf_counter()\n"
        "    s=socket.create_connection(('198.51.100.1',8001+i%40))\n"
        "    if mode=='http':\n"
        "        s.sendall(b'GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n')\n"
        "        while s.recv(4096): pass\n"
        "    s.close()\n"
        "    ts.append(time.perf_counter()-t)\n"
        "print(statistics.median(ts)*1000)\n")
    return float(sh(*in_ns("taskset", "-c", str(CHECKER_CPU), "python3", "-c", code)))


# ---------------------------------------------------------------------------------------------
# One checker run

def start_checker(impl, conf, log_path):
    log = open(log_path, "w")
    if impl == "floor":
        cmd = [HELPERS["tcp_floor"], conf_servers(conf), str(FIRST_PORT), str(PORTS)]
        env = None
    elif impl == "vigild":
        cmd = [VIGILD, "-C", "-n", "-l", "-G", "-f", conf,
               "-p", os.path.join(tmp, "vigild.pid"),
               "-c", os.path.join(tmp, "vigild.checkers.pid"),
               "--control-socket", os.path.join(tmp, "vigild.sock")]
        env = None
    else:
        cmd = ["keepalived", "-C", "-n", "-l", "-G", "-f", conf,
               "-p", os.path.join(tmp, "keepalived.pid"),
               "-c", os.path.join(tmp, "keepalived.checkers.pid")]
        env = dict(os.environ, LD_PRELOAD=HELPERS["ipvs_shim.so"])
    for f in (f"{impl}.pid", f"{impl}.checkers.pid"):
        try:
            os.unlink(os.path.join(tmp, f))
        except FileNotFoundError:
            pass
    p = subprocess.Popen(in_ns("taskset", "-c", str(CHECKER_CPU), *cmd), stdout=log,
                         stderr=subprocess.STDOUT, env=env, start_new_session=True)
    procs.append(p)
    return p


def wait_started(p, log_path, timeout=120):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if p.poll() is not None:
            raise RuntimeError(f"checker exited with {p.returncode}; see {log_path}:\n"
                               + open(log_path, errors="replace").read()[-2000:])
        with open(log_path, errors="replace") as f:
            if "Startup complete" in f.read():
                return time.monotonic() - t0
        time.sleep(0.05)
    raise RuntimeError(f"checker did not start within {timeout} s; see {log_path}")


def conf_servers(conf):
    with open(conf) as f:
        return str(sum(1 for line in f if line.lstrip().startswith("real_server ")))


def checker_pid(impl, p):
    if impl == "floor":
        return p.pid  # ip netns exec and taskset exec it: no supervisor
    # Both run the checker in a child process of a supervisor; its pid file names it.
    path = os.path.join(tmp, f"{impl}.checkers.pid")
    for _ in range(100):
        try:
            with open(path) as f:
                return int(f.read())
        except (OSError, ValueError):
            time.sleep(0.05)
    raise RuntimeError(f"no checker pid file from {impl}")


def flaps(log_path):
    with open(log_path, errors="replace") as f:
        text = f.read()
    return len(re.findall(r"Removing service", text)), text


def run_one(sc, impl, listener):
    conf = os.path.join(tmp, f"{sc['name']}-{impl}.conf")
    write_config(conf, sc["servers"], sc["kind"], sc["delay"], impl == "vigild")
    log_path = os.path.join(tmp, f"{sc['name']}-{impl}.log")
    quiet = wait_quiet()
    if quiet >= 10:
        print(f"  warning: the machine is busy ({quiet:.0f} % of a core) before {impl} starts")
    listener.cmd("forget")
    p = start_checker(impl, conf, log_path)
    startup = wait_started(p, log_path)
    cpid = checker_pid(impl, p)
    time.sleep(sc["warmup"])  # a warm-up phase, not a wait for state
    if p.poll() is not None:
        raise RuntimeError(f"{impl} exited during warm-up; see {log_path}")
    pids = tree(p.pid)
    lpids = [listener.p.pid]
    for attempt in range(1, WINDOW_ATTEMPTS + 1):
        m = measure_window(sc, p, pids, lpids, listener)
        # Other jobs on the shared machine: the window is repeated once the cores are quiet.
        other = disturbance(m)
        if other <= 10 or attempt == WINDOW_ATTEMPTS:
            break
        print(f"  ({impl}: a core was {other:.0f} % busy with other work; measuring the window"
              " again)", flush=True)
        wait_quiet(120)
        time.sleep(sc["delay"] * 2)  # a checker-paced settle after the disturbance
    m["attempts"] = attempt
    m["startup"] = startup
    rss, pss = memory(cpid)
    m["rss"], m["pss"] = rss, pss
    m["tree_pss"] = sum(memory(q)[1] for q in pids)
    m["threads"] = sum(1 for q in pids for _ in os.listdir(f"/proc/{q}/task"))
    m["alive"] = p.poll() is None
    kill_tree_of(p)
    procs.remove(p)
    m["flaps"], _ = flaps(log_path)
    m["impl"] = impl
    return m


def measure_window(sc, p, pids, lpids, listener):
    listener.cmd("mark")
    s0 = cpu_split(pids)
    k0p, k1p = ksoftirqd(CHECKER_CPU), ksoftirqd(LISTENER_CPU)
    c0, l0, b0, w0 = cpu_ticks(pids), cpu_ticks(lpids), core_busy(CHECKER_CPU), time.monotonic()
    o0, k0, k1 = core_busy(LISTENER_CPU), cpu_ticks(k0p), cpu_ticks(k1p)
    time.sleep(sc["window"])  # the measurement window
    c1, l1, b1, w1 = cpu_ticks(pids), cpu_ticks(lpids), core_busy(CHECKER_CPU), time.monotonic()
    o1, k0e, k1e = core_busy(LISTENER_CPU), cpu_ticks(k0p), cpu_ticks(k1p)
    s1 = cpu_split(pids)
    rep = listener.report()
    secs = w1 - w0
    checks = rep["accepts"]
    cpu_s = (c1 - c0) / TICK
    per = rep["periods_ms"]
    r = {
        "rate": checks / secs,
        "cpu_per_1000": 1000 * cpu_s / checks * 1000 if checks else float("nan"),
        "cpu_pct": 100 * cpu_s / secs,
        "core_pct": 100 * (b1[0] - b0[0]) / max(1, b1[1] - b0[1]),
        "listener_pct": 100 * (l1 - l0) / TICK / secs,
        "listener_core_pct": 100 * (o1[0] - o0[0]) / max(1, o1[1] - o0[1]),
        "user_share": (s1[0] - s0[0]) / max(1, c1 - c0),
        "softirqd_pct": 100 * (k0e - k0) / TICK / secs,
        "listener_softirqd_pct": 100 * (k1e - k1) / TICK / secs,
        "dests": rep["dests"], "min_per_dest": rep["min_per_dest"],
        "max_per_dest": rep["max_per_dest"], "listener_errors": rep["errors"],
        "period_mean": statistics.fmean(per) if per else float("nan"),
        "period_p50": pct(per, 0.5), "period_p99": pct(per, 0.99), "samples": len(per),
    }
    r["excess"] = r["period_mean"] - sc["delay"] * 1000
    late = sc["delay"] * 1000 + 10
    r["late_pct"] = 100 * sum(1 for x in per if x > late) / len(per) if per else float("nan")
    return r


def disturbance(m):
    """The busiest core's share of work that is neither the benchmark's processes nor the
    softirq threads of its two cores."""
    return max(m["core_pct"] - m["cpu_pct"] - m["softirqd_pct"],
               m["listener_core_pct"] - m["listener_pct"] - m["listener_softirqd_pct"])


def show(sc, r):
    print(f"  {r['impl']:10} {r['rate']:9,.0f} checks/s  cpu {r['cpu_per_1000']:6.1f} ms/1000"
          f" ({r['cpu_pct']:5.1f} % of a core, {100 * r['user_share']:.0f} % user;"
          f" core {CHECKER_CPU} busy {r['core_pct']:5.1f} %)"
          f"  RSS {r['rss'] / 1024:6.1f} MB PSS {r['pss'] / 1024:6.1f} MB"
          f"  period mean {r['period_mean']:8.2f} p50 {r['period_p50']:8.2f}"
          f" p99 {r['period_p99']:8.2f} ms (+{r['excess']:.2f}; {r['late_pct']:.1f} % > +10 ms)"
          f"  flaps {r['flaps']}", flush=True)
    print(f"  {'':10} servers seen {r['dests']:,} (per server {r['min_per_dest']}-"
          f"{r['max_per_dest']} checks), listener {r['listener_pct']:.1f} % of core"
          f" {LISTENER_CPU} (core busy {r['listener_core_pct']:.1f} %), listener errors {r['listener_errors']}, startup {r['startup']:.2f} s,"
          f" threads {r['threads']}, windows {r['attempts']}, process-tree PSS {r['tree_pss'] / 1024:.1f} MB"
          + ("" if r["alive"] else "  ** EXITED DURING THE RUN **"), flush=True)
    if r["softirqd_pct"] >= 1:
        print(f"  {'':10} ksoftirqd/{CHECKER_CPU} ran {r['softirqd_pct']:.1f} % of core"
              f" {CHECKER_CPU} (handshake work not in the checker's CPU above)", flush=True)
    other = disturbance(r)
    if other > 10:
        print(f"  {'':10} ** a core was {other:.0f} % busy with other work during the window:"
              " these figures are disturbed **", flush=True)


def show_floor(v, k, fl):
    """What the kernel allows, from the same run: bench/tcp_floor.c's figures beside the
    checkers' and beside the targets (which are stated against keepalived's)."""
    parts = []
    for name, r in (("vigild", v), ("keepalived", k)):
        if r:
            parts.append(f"{name} {r['cpu_per_1000'] / fl['cpu_per_1000']:.2f}x its CPU per check,"
                         f" {r['rate'] / fl['rate']:.2f}x its rate")
    print(f"  kernel floor (tcp_floor: the same checks, nothing else): {fl['rate']:,.0f} checks/s,"
          f" {fl['cpu_per_1000']:.1f} ms/1000" + ("; " + "; ".join(parts) if parts else ""),
          flush=True)
    if k:
        want_cpu = TARGET_CPU_RATIO * k["cpu_per_1000"]
        want_rate = TARGET_SAT_RATIO * k["rate"]
        print(f"  the targets against the floor: CPU per 1,000 <= {want_cpu:.1f} ms (floor"
              f" {fl['cpu_per_1000']:.1f}: {'within' if fl['cpu_per_1000'] <= want_cpu else 'BELOW'}"
              f" the floor's reach), rate >= {want_rate:,.0f}/s (floor {fl['rate']:,.0f}:"
              f" {'within' if fl['rate'] >= want_rate else 'BEYOND'} it)", flush=True)


def verdict(ok):
    return "met" if ok else "MISSED"


def main():
    if os.geteuid() != 0:
        sys.exit("checker_bench.py needs root (network namespace)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(hard, 1 << 20)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    q = ARGS.quick
    scenarios = [
        dict(name="a", title="(a) 1,000 servers, TCP_CHECK, delay_loop 1", kind="tcp",
             servers=1000, delay=1, warmup=3, window=6 if q else 15),
        dict(name="b", title="(b) 1,000 servers, TCP_CHECK, delay_loop 0.05", kind="tcp",
             servers=1000, delay=0.05, warmup=2, window=4 if q else 10),
        dict(name="c", title="(c) saturation: 10,000 servers, TCP_CHECK, delay_loop 0.1, "
             f"checker pinned to CPU {CHECKER_CPU}", kind="tcp", servers=10000, delay=0.1,
             warmup=3, window=4 if q else 10, saturation=True),
        dict(name="d1", title="(d) 1,000 servers, HTTP_GET, delay_loop 1", kind="http",
             servers=1000, delay=1, warmup=3, window=6 if q else 15),
        dict(name="d2", title="(d) 10,000 servers, HTTP_GET, delay_loop 2", kind="http",
             servers=10000, delay=2, warmup=5, window=6 if q else 16),
    ]
    if ARGS.only:
        scenarios = [s for s in scenarios if s["name"] in ARGS.only.split(",")]
    make_namespace()
    print(f"checker: vigild ({VIGILD}) beside keepalived 2.2.7 -C (IPVS shim), checker on CPU "
          f"{CHECKER_CPU}, listeners on CPU {LISTENER_CPU}, namespace {NS}")
    summary = []
    for sc in scenarios:
        print(sc["title"], flush=True)
        listener = Listener(HELPERS["checker_listener"], sc["kind"])
        try:
            dur = check_duration_ms(sc["kind"])
            print(f"  one {sc['kind']} check from a Python client in the namespace: "
                  f"{dur:.3f} ms (median; an upper bound on the check's own duration)")
            res = {}
            for impl in ARGS.which.split(","):
                if impl == "floor" and not sc.get("saturation"):
                    continue  # the floor is the flat-out TCP case only
                res[impl] = run_one(sc, impl, listener)
                show(sc, res[impl])
        finally:
            listener.stop()
        v, k, fl = res.get("vigild"), res.get("keepalived"), res.get("floor")
        if fl:
            show_floor(v, k, fl)
        if not v or not k:
            continue
        cpu_ratio = v["cpu_per_1000"] / k["cpu_per_1000"]
        lines = [f"cpu per check {cpu_ratio:.2f} (target <= {TARGET_CPU_RATIO}: "
                 f"{verdict(cpu_ratio <= TARGET_CPU_RATIO)})",
                 f"rate {v['rate'] / k['rate']:.2f}",
                 f"RSS {v['rss'] / k['rss']:.2f}", f"PSS {v['pss'] / k['pss']:.2f}"]
        if sc.get("saturation"):
            demand = sc["servers"] / sc["delay"]
            sat = v["rate"] / k["rate"]
            capped = v["rate"] >= 0.97 * demand
            lines.append(f"saturation rate {sat:.2f}{' (vigild reached the demand, so >=)' if capped else ''}"
                         f" (target >= {TARGET_SAT_RATIO}: {verdict(sat >= TARGET_SAT_RATIO)})")
        else:
            lines.append(f"period excess {v['excess']:.2f} vs {k['excess']:.2f} ms (vigild target"
                         f" <= {TARGET_PERIOD_MS} + {dur:.2f} ms: "
                         f"{verdict(v['excess'] <= TARGET_PERIOD_MS + dur)})")
        print("  ratio vigild/keepalived: " + ", ".join(lines), flush=True)
        summary.append((sc, v, k))
    if summary:
        print("summary (vigild / keepalived):")
        for sc, v, k in summary:
            print(f"  {sc['name']:3} rate {v['rate']:8,.0f} / {k['rate']:8,.0f}"
                  f"  cpu/1000 {v['cpu_per_1000']:6.1f} / {k['cpu_per_1000']:6.1f} ms"
                  f"  RSS {v['rss'] / 1024:5.1f} / {k['rss'] / 1024:5.1f} MB"
                  f"  PSS {v['pss'] / 1024:5.1f} / {k['pss'] / 1024:5.1f} MB"
                  f"  period {v['period_mean']:8.2f} / {k['period_mean']:8.2f} ms"
                  f"  flaps {v['flaps']} / {k['flaps']}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vigild")
    ap.add_argument("--quick", action="store_true", help="shorter windows (about 2 minutes)")
    ap.add_argument("--which", default="vigild,keepalived,floor",
                    help="floor: bench/tcp_floor.c, the kernel's floor, in (c) only")
    ap.add_argument("--only", default="", help="scenarios: a,b,c,d1,d2")
    ap.add_argument("--keep", action="store_true", help="keep the logs and configurations")
    ARGS = ap.parse_args()
    VIGILD = os.path.realpath(ARGS.vigild)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        HELPERS = build_helpers()
        main()
    except KeyboardInterrupt as e:
        print(f"interrupted ({e}); cleaning up", file=sys.stderr)
        sys.exit(130)
    finally:
        cleanup()
