#!/usr/bin/env python3
"""Checks the module include rules of docs/ARCHITECTURE.md.

Every #include "module/..." in src/ must name a module the including module may use, and the
pure modules (base, model, config, vrrp, check, lb, notify, control, ports) must not include
system or socket headers. Exits non-zero and lists every violation.
"""
import pathlib
import re
import sys

ALLOWED = {
    "base": set(),
    "model": {"base"},
    "config": {"base", "model", "ports"},
    "vrrp": {"base", "model"},
    "check": {"base", "model"},
    "lb": {"base", "model"},
    "notify": {"base", "model"},
    "control": {"base", "model"},
    "ports": {"base"},
    "os": {"base", "ports"},
    "daemon": {"base", "model", "config", "vrrp", "check", "lb", "notify", "control", "ports",
               "os"},
    "cli": {"base", "control", "os"},
}
PURE = {"base", "model", "config", "vrrp", "check", "lb", "notify", "control", "ports"}
FORBIDDEN_IN_PURE = re.compile(
    r"^(sys/|linux/|net/|netinet/|arpa/|unistd\.h|fcntl\.h|glob\.h|syslog\.h|boost/|spdlog/)")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "src")
    errors = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        module = path.relative_to(root).parts[0]
        for no, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            quote, target = m.groups()
            where = f"{path}:{no}"
            if quote == '"':
                dep = target.split("/")[0]
                if dep != module and dep not in ALLOWED.get(module, set()):
                    errors.append(f"{where}: module '{module}' may not include '{target}'")
            elif module in PURE and FORBIDDEN_IN_PURE.match(target):
                errors.append(f"{where}: pure module '{module}' may not include <{target}>")
    for e in errors:
        print(e)
    print(f"layering: {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
