#!/usr/bin/env python3
"""wrap-docker.py < LOG > WRAPPED

The envelope case of benches/compare.sh: a generated PostgreSQL stderr log as Docker's and
Kubernetes' json-file driver writes it, one {"log","stream","time"} object a line, "log" with
its newline, "time" the line's own (%t) time with nanoseconds, as make-envelopes.py does for the
samples. Standard library only; about 10 s a GiB.
"""
import json
import sys

out = sys.stdout
stamp = "1970-01-01T00:00:00.000000000Z"
for line in sys.stdin:
    line = line.rstrip("\n")
    # "2026-11-01 00:00:00 UTC:…": the time of the line; continuation lines keep the last.
    if len(line) > 23 and line[4] == "-" and line[10] == " " and line[19:23] == " UTC":
        stamp = f"{line[:10]}T{line[11:19]}.000000000Z"
    out.write(json.dumps({"log": line + "\n", "stream": "stderr", "time": stamp},
                         separators=(",", ":"), ensure_ascii=False))
    out.write("\n")
