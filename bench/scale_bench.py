#!/usr/bin/env python3
"""VRRP scale benchmark: vigild beside Debian's keepalived in the same run.

A master and a backup namespace joined by five veth pairs. Each side runs 1,000 VRRPv2
instances (VRIDs 1..200 on each of eth0..eth4, one /32 VIP each, advert_int 1; priorities
150 and 100). Both daemons start together. For each implementation, without and with -D,
it measures:
  settle      seconds from start until the master holds all VIPs and the backup none, and
              that has held for HOLD seconds (capped at SETTLE_CAP);
  spurious    MASTER transitions on the backup (its log's "Entering MASTER STATE" lines);
  cpu         steady-state CPU over WINDOW seconds (all processes of the daemon), as ms per
              1,000 adverts sent and as % of one core, on the master and on the backup;
  pss/rss     memory summed over the daemon's processes (smaps_rollup), master and backup;
  takeover    seconds from SIGTERM of the master until the backup holds all VIPs.

Usage: scale_bench.py VIGILD [VIGILCTL]   (root; env: IFACES VRIDS WINDOW HOLD SETTLE_CAP
                                            RUNS WHICH=vigild,keepalived)
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

VIGILD = os.path.realpath(sys.argv[1])
IFACES = int(os.environ.get("IFACES", 5))
VRIDS = int(os.environ.get("VRIDS", 200))
WINDOW = float(os.environ.get("WINDOW", 10))
HOLD = float(os.environ.get("HOLD", 3))
WARMUP = float(os.environ.get("WARMUP", 4))
SETTLE_CAP = float(os.environ.get("SETTLE_CAP", 90))
RUNS = int(os.environ.get("RUNS", 1))
WHICH = os.environ.get("WHICH", "vigild,keepalived").split(",")
TOTAL = IFACES * VRIDS
HERE = os.path.dirname(os.path.realpath(__file__))
TICK = os.sysconf("SC_CLK_TCK")
tag = str(os.getpid())
M, B = f"vg-sm-{tag}", f"vg-sb-{tag}"
tmp = tempfile.mkdtemp(prefix="vigil-scale-")
procs = []


def sh(*args, check=True):
    return subprocess.run(args, check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True).stdout


def make_topology():
    for ns in (M, B):
        sh("ip", "netns", "add", ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
    for k in range(IFACES):
        sh("ip", "-n", M, "link", "add", f"eth{k}", "type", "veth", "peer", "name", f"eth{k}",
           "netns", B)
        for side, ns in enumerate((M, B)):
            sh("ip", "-n", ns, "addr", "add", f"203.0.113.{201 + 10 * side + k}/24", "dev",
               f"eth{k}")
            sh("ip", "-n", ns, "link", "set", f"eth{k}", "up")
    # Start as a booted host would: with carrier on every link (veth carrier comes up a moment
    # after both ends are up).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        down = [ns for ns in (M, B)
                if sh("ip", "-n", ns, "link", "show").count("LOWER_UP") < IFACES + 1]
        if not down:
            return
        time.sleep(0.05)
    raise RuntimeError("links did not come up")


def drop_topology():
    for ns in (M, B):
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


def vip_count(ns):
    out = sh("ip", "-n", ns, "-o", "-4", "addr", "show")
    return sum(1 for line in out.splitlines() if "/32 " in line)


def tree(pid):
    """pid and its descendants."""
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def cpu_ticks(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total


def memory(pids):
    pss = rss = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
        except OSError:
            pass
    return pss, rss


def start(impl, role, detail):
    conf = os.path.join(tmp, f"{role}.conf")
    with open(conf, "w") as f:
        f.write(sh("python3", os.path.join(HERE, "gen_scale_config.py"), role, str(IFACES),
                   str(VRIDS)))
    ns = M if role == "master" else B
    log = open(os.path.join(tmp, f"{impl}-{role}{'-D' if detail else ''}.log"), "w")
    extra = ["-D"] if detail else []
    if impl == "vigild":
        cmd = [VIGILD, "-n", "-l", "-f", conf, "--control-socket", os.path.join(tmp, f"{role}.sock"),
               "-p", os.path.join(tmp, f"{role}.vigil.pid"),
               "-r", os.path.join(tmp, f"{role}.vigil.vpid"),
               "-c", os.path.join(tmp, f"{role}.vigil.cpid")]
    else:
        for suffix in ("pid", "vpid", "cpid"):
            try:
                os.unlink(os.path.join(tmp, f"{role}.{suffix}"))
            except FileNotFoundError:
                pass
        cmd = ["keepalived", "-n", "-l", "-f", conf, "-p", os.path.join(tmp, f"{role}.pid"),
               "-r", os.path.join(tmp, f"{role}.vpid"), "-c", os.path.join(tmp, f"{role}.cpid")]
    p = subprocess.Popen(["ip", "netns", "exec", ns] + cmd + extra, stdout=log,
                         stderr=subprocess.STDOUT)
    procs.append(p)
    return p, log.name


def masters_in(logfile):
    with open(logfile, errors="replace") as f:
        return sum(1 for line in f if "Entering MASTER STATE" in line)


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for q in tree(p.pid):
                os.kill(q, signal.SIGKILL)
            p.wait()


def one_run(impl, detail):
    make_topology()
    try:
        t0 = time.monotonic()
        master, mlog = start(impl, "master", detail)
        backup, blog = start(impl, "backup", detail)
        settled_at, good_since = None, None
        while True:
            now = time.monotonic()
            good = vip_count(M) == TOTAL and vip_count(B) == 0
            if good and good_since is None:
                good_since = now
            if not good:
                good_since = None
            if good_since is not None and now - good_since >= HOLD:
                settled_at = good_since - t0
                break
            if now - t0 > SETTLE_CAP:
                break
            if master.poll() is not None or backup.poll() is not None:
                raise RuntimeError(f"{impl} exited early; see {mlog} {blog}")
            time.sleep(0.05)
        spurious = masters_in(blog)
        # Past the second gratuitous ARP burst (garp_master_delay 5 s after becoming master).
        time.sleep(WARMUP)  # a measurement phase, not a wait for state
        # Steady state: CPU over WINDOW seconds (adverts: one per instance per second).
        mp, bp = tree(master.pid), tree(backup.pid)
        c0m, c0b, w0 = cpu_ticks(mp), cpu_ticks(bp), time.monotonic()
        time.sleep(WINDOW)  # a measurement window, not a wait for state
        c1m, c1b, w1 = cpu_ticks(mp), cpu_ticks(bp), time.monotonic()
        secs = w1 - w0
        adverts = TOTAL * secs
        cpu = {}
        for name, c0, c1 in (("master", c0m, c1m), ("backup", c0b, c1b)):
            used = (c1 - c0) / TICK
            cpu[name] = (1000 * used / adverts * 1000, 100 * used / secs)
        mem = {"master": memory(mp), "backup": memory(bp)}
        # Graceful stop of the master: the backup should take every VIP.
        t1 = time.monotonic()
        master.send_signal(signal.SIGTERM)
        takeover = None
        while time.monotonic() - t1 < 30:
            if vip_count(B) == TOTAL:
                takeover = time.monotonic() - t1
                break
            time.sleep(0.01)
        stop(master)
        stop(backup)
        return {"settle": settled_at, "spurious": spurious, "cpu": cpu, "mem": mem,
                "takeover": takeover}
    finally:
        for p in procs:
            if p.poll() is None:
                for q in tree(p.pid):
                    try:
                        os.kill(q, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                p.wait()
        procs.clear()
        drop_topology()


def fmt(v, spec, none):
    return none if v is None else format(v, spec)


def main():
    if os.geteuid() != 0:
        sys.exit("scale_bench.py needs root (network namespaces)")
    print(f"scale: {TOTAL} VRRPv2 instances per router ({IFACES} interfaces x {VRIDS} VRIDs, "
          f"advert_int 1), master and backup started together")
    rows = []
    for impl in WHICH:
        for detail in (False, True):
            for _ in range(RUNS):
                r = one_run(impl, detail)
                label = impl + (" -D" if detail else "")
                rows.append((label, r))
                print(f"{label:14} settle {fmt(r['settle'], '.2f', '>' + str(SETTLE_CAP)):>6} s"
                      f"  spurious {r['spurious']:5}"
                      f"  cpu/1000 adverts M {r['cpu']['master'][0]:5.1f} ms"
                      f" B {r['cpu']['backup'][0]:5.1f} ms"
                      f" ({r['cpu']['master'][1]:.2f} % / {r['cpu']['backup'][1]:.2f} % core)"
                      f"  PSS M {r['mem']['master'][0] / 1024:.1f} MB"
                      f" B {r['mem']['backup'][0] / 1024:.1f} MB"
                      f" (RSS {r['mem']['master'][1] / 1024:.1f} MB)"
                      f"  takeover {fmt(r['takeover'], '.2f', '>30')} s", flush=True)
    # Ratios, vigild over keepalived, for the same -D setting.
    by = {label: r for label, r in rows}
    for d in ("", " -D"):
        v, k = by.get("vigild" + d), by.get("keepalived" + d)
        if not v or not k:
            continue
        cpu_v = v["cpu"]["master"][0] + v["cpu"]["backup"][0]
        cpu_k = k["cpu"]["master"][0] + k["cpu"]["backup"][0]
        print(f"ratio{d or '   '} vigild/keepalived: cpu {cpu_v / cpu_k:.2f}"
              f"  pss master {v['mem']['master'][0] / k['mem']['master'][0]:.2f}"
              f"  pss backup {v['mem']['backup'][0] / k['mem']['backup'][0]:.2f}")


try:
    main()
finally:
    drop_topology()
    if not os.environ.get("KEEP"):
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("logs kept in", tmp)
