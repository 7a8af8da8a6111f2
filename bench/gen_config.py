#!/usr/bin/env python3
"""Writes a large keepalived.conf for the parse benchmark.

Usage: gen_config.py INSTANCES VIRTUAL_SERVERS INTERFACES > big.conf
Instances are spread over eth0..eth{INTERFACES-1} with VRIDs 1..250 so that every
(interface, VRID) pair is unique; addresses come from the documentation ranges only.
"""
import sys


def main():
    n_inst, n_vs, n_if = (int(a) for a in sys.argv[1:4])
    out = []
    w = out.append
    w("global_defs {\n    router_id bench\n}\n")
    for i in range(n_inst):
        ifname = "eth%d" % (i // 250)
        vrid = i % 250 + 1
        w("vrrp_instance VI_%d {\n" % i)
        w("    state BACKUP\n    interface %s\n    virtual_router_id %d\n" % (ifname, vrid))
        w("    priority %d\n    advert_int 1\n" % (100 + i % 100))
        w("    authentication {\n        auth_type PASS\n        auth_pass pw%d\n    }\n" % (i % 1000))
        w("    virtual_ipaddress {\n        192.0.2.%d/24 dev %s\n        198.51.100.%d/24\n    }\n"
          % (i % 254 + 1, ifname, i % 254 + 1))
        w("}\n")
    for v in range(n_vs):
        w("virtual_server 203.0.113.%d %d {\n" % (v % 254 + 1, 1000 + v))
        w("    delay_loop 6\n    lb_algo wrr\n    lb_kind NAT\n    protocol TCP\n")
        for r in range(3):
            w("    real_server 198.51.100.%d %d {\n" % ((v * 3 + r) % 254 + 1, 8000 + r))
            w("        weight %d\n" % (r + 1))
            w("        TCP_CHECK {\n            connect_timeout 3\n            retry 2\n"
              "            delay_before_retry 1\n        }\n    }\n")
        w("}\n")
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
