#!/usr/bin/env bash
# vigilctl end to end and keepalived's dump files, on a namespaced network: L1 (VI_1 priority
# 150) and L2 (100), the virtual server 192.0.2.10:80 (nftables) with two nginx real
# servers, a client pinging the VIP and sending HTTP requests.
#   - every read command's --json validates against docs/control-schema.json, and the tables
#     for people carry the same facts;
#   - real-server disable/enable: the server leaves the table and the client is served by the
#     other only, then it comes back;
#   - maintenance on/off: L1 hands VI_1 over to L2 with no more loss than a graceful stop
#     (measured too), stays silent, then takes it back;
#   - SIGUSR1/SIGUSR2/SIGRTMIN+2 (vigild --signum) to the supervisor: keepalived.data (and
#     the checker's _check.data), .stats and .json at global_defs' *_dump_file paths, mode
#     0644, written over a symlink without following it, in the lines and fields keepalived
#     exporters parse.
# Usage: operations.sh VIGILD VIGILCTL SCHEMA
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
vigil_test_init "$1" "$2"
schema=$(realpath "$3")

lb_pair o

conf() {
  cat <<CONF
global_defs {
    lb_dataplane nftables vigil_ops
    state_dump_file $tmp/$1.data
    stats_dump_file $tmp/$1.stats
    json_dump_file $tmp/$1.json
}
vrrp_script chk_ok {
    script "/bin/true"
    interval 1
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 91
    priority $2
    advert_int 1
    virtual_ipaddress {
        192.0.2.10/24
        198.51.100.254/24
    }
    track_script {
        chk_ok
    }
}
virtual_server 192.0.2.10 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 198.51.100.1 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server 198.51.100.2 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
CONF
}
conf l1 150 >"$tmp/l1.conf"
conf l2 100 >"$tmp/l2.conf"
vigil_start ol1 l1 --metrics-listen 127.0.0.1:9165
vigil_start ol2 l2
ctl() { "$VIGILCTL" -s "$tmp/$1.sock" "${@:2}"; }
state() { vigil_status "$1" "d['instances'][0]['state']"; }
both_up() { vigil_true "$1" "all(r['alive'] for r in d['virtual_servers'][0]['real_servers'])"; }
elected() { [ "$(state l1)" = MASTER ] && [ "$(state l2)" = BACKUP ] && both_up l1; }
if wait_for 15 elected; then ok "L1 Master, L2 Backup, both real servers up"; else bad "start: L1 $(state l1), L2 $(state l2)"; fi
spid=$(cat "$tmp/l1.pid")

# --json of every read command against the schema.
validate() {  # validate DEF FILE
  python3 - "$schema" "$1" "$2" <<'PY'
import json, sys
import jsonschema
schema, name, path = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
doc = json.load(open(path))
jsonschema.validate(doc, {"$ref": "#/$defs/" + name, "$defs": schema["$defs"]})
PY
}
ctl l1 status --json >"$tmp/status.json"
ctl l1 show instance VI_1 --json >"$tmp/instance.json"
ctl l1 show virtual-server --json >"$tmp/vss.json"
ctl l1 show real-server --json >"$tmp/rss.json"
for pair in status:status instance:instance virtual_servers:vss real_servers:rss; do
  def=${pair%%:*} file=$tmp/${pair##*:}.json
  if err=$(validate "$def" "$file" 2>&1); then ok "--json of $def validates against the schema"; else bad "$def: $(tail -3 <<<"$err")"; fi
done
# The schema is not a rubber stamp: a wrong type and a missing member are refused.
python3 -c "
import json; d = json.load(open('$tmp/status.json')); d['instances'][0]['vrid'] = 'x'; json.dump(d, open('$tmp/bad1.json', 'w'))
d = json.load(open('$tmp/status.json')); del d['instances'][0]['stats']['advert_rcvd']; json.dump(d, open('$tmp/bad2.json', 'w'))"
if ! validate status "$tmp/bad1.json" 2>/dev/null && ! validate status "$tmp/bad2.json" 2>/dev/null; then ok "the schema refuses a wrong type and a missing counter (control)"; else bad "the schema accepted a broken document"; fi
table=$(ctl l1 status)
if grep -qE '^VI_1 +MASTER +eth0 +91 +2 +150 +192.0.2.10/24 198.51.100.254/24$' <<<"$table"; then ok "status table: VI_1 MASTER eth0 91 v2 150 and its VIPs"; else bad "status table: $table"; fi
inst=$(ctl l1 show instance VI_1)
if grep -q "^Instance VI_1$" <<<"$inst" && grep -qE "^  state +MASTER$" <<<"$inst" && grep -qE "^  track script +chk_ok up" <<<"$inst"; then ok "show instance VI_1: state and tracked script"; else bad "show instance: $inst"; fi
vst=$(ctl l1 show virtual-server)
if grep -qE '^\[192.0.2.10\]:tcp:80 +yes +2 +2 +2$' <<<"$vst"; then ok "show virtual-server: quorum, live weight 2, 2 of 2 up"; else bad "show virtual-server: $vst"; fi
rst=$(ctl l1 show real-server)
if [ "$(grep -cE '^\[192.0.2.10\]:tcp:80 +198.51.100.[12]:80 +up +1  TCP_CHECK:up$' <<<"$rst")" = 2 ]; then ok "show real-server: both up, TCP_CHECK up"; else bad "show real-server: $rst"; fi
if ! ctl l1 show instance NOPE >/dev/null 2>&1 && ! ctl l1 show virtual-server '[192.0.2.99]:tcp:80' >/dev/null 2>&1; then ok "show of an unknown name exits 1"; else bad "show of unknown names succeeded"; fi

# The client.
ip netns exec olc ping -D -i 0.02 -W 1 192.0.2.10 >"$tmp/ping.log" 2>&1 &
ip netns exec olc bash -c 'while :; do
  b=$(curl -s -m 1 http://192.0.2.10/) || b=fail
  echo "$(date +%s.%N) $b"; sleep 0.05; done' >"$tmp/requests.log" 2>/dev/null &
served_since() { [ "$(awk -v t="$1" -v b="$2" '$1 >= t && $2 == b' "$tmp/requests.log" | wc -l)" -ge "$3" ]; }
t=$(date +%s.%N)
wait_for 10 served_since "$t" R2 5 || bad "R2 never served"

# real-server disable / enable.
out=$(ctl l1 real-server disable '[192.0.2.10]:tcp:80' 198.51.100.2 80)
if [ $? = 0 ] && [ "$out" = "198.51.100.2:80 disabled" ]; then ok "real-server disable: '$out'"; else bad "real-server disable: $out"; fi
t=$(date +%s.%N)
wait_for 10 served_since "$t" R1 20
if [ "$(awk -v t="$t" '$1 >= t + 0.2 && $2 != "R1"' "$tmp/requests.log" | wc -l)" = 0 ] &&
  vigil_true l1 "[d['address'] for d in d['virtual_servers'][0]['programmed'][0]['destinations']] == ['198.51.100.1']" &&
  vigil_true l1 "d['virtual_servers'][0]['real_servers'][1]['disabled'] and d['virtual_servers'][0]['real_servers'][1]['alive']"; then
  ok "R2 disabled: out of the table (its checks still up), every request served by R1"
else
  bad "after disable: $(vigil_status l1 "d['virtual_servers'][0]['programmed']") $(awk -v t="$t" '$1 >= t' "$tmp/requests.log" | sort -k2 | uniq -c -f1)"
fi
if ctl l1 real-server disable '[192.0.2.10]:tcp:80' 198.51.100.7 80 2>/dev/null; then bad "disable of an unknown real server succeeded"; else ok "disable of an unknown real server exits 1"; fi
ctl l1 real-server enable '[192.0.2.10]:tcp:80' 198.51.100.2 80 >/dev/null
t=$(date +%s.%N)
if wait_for 10 served_since "$t" R2 5; then ok "R2 enabled: served again"; else bad "R2 not back after enable"; fi

# Loss of a graceful stop of L1 (SIGTERM), as the yardstick; L1 is started again after it.
outage() {
  sed -n 's/^\[\([0-9.]*\)\] .* bytes from .*/\1/p' "$tmp/ping.log" | python3 -c "
import sys
t = [float(x) for x in sys.stdin.read().split() if $1 - 1 <= float(x) <= $2]
print(int(max((b - a for a, b in zip(t, t[1:])), default=$2 - $1) * 1000))"
}
l2_master() { [ "$(state l2)" = MASTER ]; }
l1_master() { [ "$(state l1)" = MASTER ] && [ "$(state l2)" = BACKUP ] && both_up l1; }
t0=$(date +%s.%N)
kill -TERM "$spid"
wait_for 10 l2_master
wait_for 10 sh -c "! pgrep -f '^$VIGILD .*$tmp/l1.conf' >/dev/null"
t=$(date +%s.%N)
wait_for 10 served_since "$t" R1 20
stop_gap=$(outage "$t0" "$(date +%s.%N)")
vigil_start ol1 l1 --metrics-listen 127.0.0.1:9165
wait_for 20 l1_master || bad "L1 did not take VI_1 back after its restart"
spid=$(cat "$tmp/l1.pid")

# maintenance on: a graceful hand-over; the instance stays out.
t0=$(date +%s.%N)
out=$(ctl l1 maintenance on VI_1)
if [ $? = 0 ] && [ "$out" = "VI_1 out of service" ] && wait_for 10 l2_master; then ok "maintenance on: '$out', L2 Master"; else bad "maintenance on: $out, L2 $(state l2)"; fi
t=$(date +%s.%N)
wait_for 10 served_since "$t" R1 20
# Longer than a Master_Down_Interval: L1 stays silent (no preemption back).
quiet() { python3 -c "import time,sys; sys.exit(0 if time.time() > $t0 + 4.5 else 1)"; }
wait_for 10 quiet
maint_gap=$(outage "$t0" "$(date +%s.%N)")
echo "     ping outage: graceful stop $stop_gap ms, maintenance hand-over $maint_gap ms"
if [ "$(state l1)" = INIT ] && vigil_true l1 "d['instances'][0]['maintenance']" && [ "$(state l2)" = MASTER ]; then ok "L1 stays out of service (INIT, maintenance) while L2 is Master"; else bad "during maintenance: L1 $(state l1), L2 $(state l2)"; fi
if [ "$maint_gap" -le $((stop_gap + 200)) ]; then ok "the hand-over lost no more than a graceful stop ($maint_gap ms against $stop_gap ms)"; else bad "maintenance outage $maint_gap ms, graceful stop $stop_gap ms"; fi
ctl l1 maintenance off VI_1 >/dev/null
if wait_for 10 l1_master; then ok "maintenance off: L1 back in service and Master again (preempts)"; else bad "after maintenance off: L1 $(state l1)"; fi
if ctl l1 maintenance on NOPE 2>/dev/null; then bad "maintenance of an unknown instance succeeded"; else ok "maintenance of an unknown instance exits 1"; fi

# Dumps. A symlink waits at the data file's path: it is replaced, its target untouched.
echo keep >"$tmp/victim"
ln -s "$tmp/victim" "$tmp/l1.data"
kill -USR1 "$spid"
kill -USR2 "$spid"
kill -"$("$VIGILD" --signum=JSON)" "$spid"
dumped() { [ -f "$tmp/l1.data" ] && [ ! -L "$tmp/l1.data" ] && [ -s "$tmp/l1.stats" ] && [ -s "$tmp/l1.json" ] && [ -s "$tmp/l1_check.data" ]; }
if wait_for 5 dumped; then ok "SIGUSR1, SIGUSR2 and SIGRTMIN+2 wrote keepalived.data, _check.data, .stats and .json"; else bad "dumps: $(ls -l "$tmp"/l1*)"; fi
# The checker child's half of SIGUSR1, in keepalived 2.2.7's lines.
check_lines=(
  "------< LVS Topology >------"
  " VS VIP = 192.0.2.10, VPORT = 80"
  "   delay_loop = 1.000000"
  "   lvs_sched = rr"
  "   RIP = 198.51.100.1, RPORT = 80, WEIGHT = 1 EFF WEIGHT = 1"
  "   RIP = 198.51.100.2, RPORT = 80, WEIGHT = 1 EFF WEIGHT = 1"
  "------< Health checkers >------"
  " [192.0.2.10]:tcp:80 -> [198.51.100.2]:tcp:80"
  "   Up = yes"
  "   Delay loop = 1000000 us"
  "     Dest = [198.51.100.2]:80"
  "     Timeout = 1.000000"
  "   Keepalive method = TCP_CHECK"
)
missing_lines=""
for l in "${check_lines[@]}"; do grep -qxF -- "$l" "$tmp/l1_check.data" 2>/dev/null || missing_lines+="[$l] "; done
if [ -z "$missing_lines" ] && [ "$(stat -c %a "$tmp/l1_check.data")" = 644 ]; then ok "l1_check.data: the LVS topology and health checkers in keepalived's lines, mode 0644"; else bad "l1_check.data lacks $missing_lines: $(cat "$tmp/l1_check.data" 2>&1 | head -40)"; fi
if [ "$(cat "$tmp/victim")" = keep ] && [ "$(stat -c %a "$tmp/l1.data") $(stat -c %a "$tmp/l1.stats") $(stat -c %a "$tmp/l1.json")" = "644 644 644" ]; then ok "dump files mode 0644; the symlink in the way was replaced, not followed"; else bad "dump files: $(stat -c '%n %a' "$tmp"/l1.* ) victim $(cat "$tmp/victim")"; fi
# What mehdy/keepalived-exporter reads: "Key = value" lines under " VRRP Instance = NAME" in
# .data, counters by section in .stats, a top-level array of {data, stats} in .json.
parsed=$(python3 - "$tmp/l1.data" "$tmp/l1.stats" "$tmp/l1.json" <<'PY'
import json, sys
data, stats, js = (open(p).read() for p in sys.argv[1:4])
inst, fields = None, {}
for line in data.splitlines():
    if line.startswith(" VRRP Instance = "):
        inst = line.split(" = ", 1)[1]
    elif inst == "VI_1" and line.startswith("   ") and " = " in line and not line.startswith("    "):
        k, v = line.strip().split(" = ", 1)
        fields.setdefault(k, v)
sections, section, counters = {}, None, {}
for line in stats.splitlines():
    if line.startswith("VRRP Instance: "):
        sections[line.split(": ", 1)[1]] = counters = {}
    elif line.startswith("  ") and not line.startswith("    ") and line.rstrip().endswith(":"):
        section = line.strip()[:-1]
    elif line.startswith("    ") and ": " in line:
        k, v = line.strip().split(": ", 1)
        counters[section + "/" + k] = int(v)
doc = json.loads(js)
d = doc[0]
print(fields.get("State"), fields.get("Virtual Router ID"), fields.get("Interface"),
      sections["VI_1"]["Advertisements/Received"] >= 0, sections["VI_1"]["Advertisements/Sent"] > 0,
      d["data"]["iname"], d["data"]["state"], d["data"]["vrid"], isinstance(d["stats"]["advert_sent"], int),
      d["data"]["auth_data"] if "auth_data" in d["data"] else "-")
PY
)
if [ "$parsed" = "MASTER 91 eth0 True True VI_1 2 91 True -" ] || [ "${parsed% *}" = "MASTER 91 eth0 True True VI_1 2 91 True" ]; then
  ok "the dumps parse as the exporter reads them: $parsed"
else
  bad "dump parse: $parsed; $(head -20 "$tmp/l1.data")"
fi

# Prometheus: /metrics with keepalived-exporter's names and labels.
scrape=$(ip netns exec ol1 curl -s -D "$tmp/headers" http://127.0.0.1:9165/metrics)
metrics=$(python3 - <<PY
import re, sys
text = """$scrape"""
series, types = {}, {}
for line in text.splitlines():
    if line.startswith("# TYPE "):
        _, _, name, kind = line.split(" ", 3)
        types[name] = kind
        continue
    if not line or line.startswith("#"):
        continue
    m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)', line)
    if not m:
        print("BAD LINE", line); sys.exit(0)
    series[m.group(1) + (m.group(2) or "")] = float(m.group(3))
want = {
    'keepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="91",ip_address="192.0.2.10/24"}': lambda v: v == 2,
    'keepalived_advertisements_sent_total{iname="VI_1",intf="eth0",vrid="91"}': lambda v: v > 0,
    'keepalived_become_master_total{iname="VI_1",intf="eth0",vrid="91"}': lambda v: v >= 1,
    'keepalived_script_status{name="chk_ok"}': lambda v: v == 1,
    'keepalived_up': lambda v: v == 1,
    'vigil_real_server_up{virtual_server="[192.0.2.10]:tcp:80",address="198.51.100.2",port="80"}': lambda v: v == 1,
    'vigil_process_running{role="checker"}': lambda v: v == 1,
}
missing = [k for k, ok in want.items() if k not in series or not ok(series[k])]
print("ok" if not missing and types.get("keepalived_advertisements_sent_total") == "counter" else "missing " + " ".join(missing))
PY
)
if [ "$metrics" = ok ] && grep -qi '^content-type: text/plain; version=0.0.4' "$tmp/headers"; then ok "/metrics: keepalived-exporter's names and labels, Vigil's real servers and processes, text format 0.0.4"; else bad "/metrics: $metrics $(head -5 <<<"$scrape")"; fi

[ "$fail" -eq 0 ] || vigil_logs
echo "operations: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
