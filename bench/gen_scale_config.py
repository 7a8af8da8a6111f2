#!/usr/bin/env python3
"""keepalived.conf for the VRRP scale benchmark.

Usage: gen_scale_config.py ROLE INTERFACES VRIDS
ROLE is master (priority 150) or backup (priority 100). Every interface ethK carries VRIDs
1..VRIDS, each a VRRPv2 instance with advert_int 1 and one /32 VIP. The documentation
ranges hold fewer than 1,000 IPv4 addresses, so VIP sets repeat across interfaces (the same
address on two interfaces is legal on Linux and to keepalived).
"""
import sys

role, ifaces, vrids = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
nets = ["192.0.2", "198.51.100", "203.0.113"]
prio = 150 if role == "master" else 100
out = [f"global_defs {{\n  router_id scale-{role}\n}}\n"]
for k in range(ifaces):
    net = nets[k % len(nets)]
    for v in range(1, vrids + 1):
        out.append(
            f"vrrp_instance VI_{k}_{v} {{\n"
            f"  state BACKUP\n  interface eth{k}\n  virtual_router_id {v}\n"
            f"  priority {prio}\n  advert_int 1\n"
            f"  virtual_ipaddress {{\n    {net}.{v}/32\n  }}\n}}\n")
sys.stdout.write("".join(out))
