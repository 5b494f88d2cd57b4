#!/usr/bin/env python3
"""make-envelopes.py [OUT_DIR]

Wraps the bundled real logs (../postgresql/stderr, ../mariadb/general) the way
log shippers and consoles hand them over, one file per envelope and instance:

  OUT_DIR/docker/INSTANCE/NAME         Docker/Kubernetes json-file ("log" with its "\\n",
                                       "stream", "time" RFC 3339 with nanoseconds)
  OUT_DIR/journald/INSTANCE/NAME       journalctl -o json (MESSAGE, __REALTIME_TIMESTAMP in
                                       microseconds, _HOSTNAME; PostgreSQL's syslog
                                       "[line-1] " marker; control characters as \\u0009)
  OUT_DIR/cloud-logging/INSTANCE/NAME  Cloud Logging LogEntry lines (textPayload, timestamp,
                                       resource.labels.database_id)
  OUT_DIR/cloud-logging-array/INSTANCE/NAME
                                       the same entries as `gcloud logging read --format=json`
                                       prints them: one JSON array, newest first, indent 2,
                                       keys sorted
  OUT_DIR/azure/INSTANCE/NAME          Azure diagnostic records (properties.message, time,
                                       resourceId), PostgreSQL only
  OUT_DIR/shipper/INSTANCE/NAME        Vector's file source with the json encoding
                                       (message, timestamp, host, file)
  OUT_DIR/fluent-bit/INSTANCE/NAME     Fluent Bit's tail input written as JSON lines ("date" in
                                       seconds, "log")
  OUT_DIR/logstash/INSTANCE/NAME       Logstash's file input with ECS fields ("@timestamp",
                                       "message"; "log" an object, "event.original")
  OUT_DIR/tabs-as-spaces/INSTANCE/NAME the MariaDB general log as an editor or a ticket
                                       leaves it: tabs expanded to 8-column stops
                                       (str.expandtabs), MariaDB only
  OUT_DIR/cri/INSTANCE/NAME            CRI container log lines as containerd writes them under
                                       /var/log/pods ("<time> stderr F <line>"), with a
                                       max_container_log_line_size of 100 bytes (containerd's
                                       CRI setting; 16 KiB by default), so that the longer
                                       lines are cut into "P" parts before their "F" part
  OUT_DIR/syslog/INSTANCE/NAME         PostgreSQL's syslog output as rsyslog writes it to a
                                       file (BSD header with the host name, postgres[PID],
                                       "[line-1] "), PostgreSQL only
  OUT_DIR/syslog-received/INSTANCE/NAME
                                       the same as a collector stores what it received:
                                       "<134>" priority, no host name
  OUT_DIR/syslog-rfc5424/INSTANCE/NAME the same in RFC 5424 ("<134>1 TIME HOST postgres PID
                                       - - ...")
  OUT_DIR/cloudnative-pg/INSTANCE/NAME CloudNativePG's JSON log of the PostgreSQL csvlog
                                       sample (../postgresql/csvlog): each row as its
                                       instance manager prints it ("logger":"postgres",
                                       "msg":"record", "logging_pod", "record" holding the
                                       columns by name, empty ones left out, as
                                       logpipe's LoggingRecord with omitempty)

Each record's envelope time is the line's own time to the second (a MariaDB general-log
record without one: the last time printed before it), so that the wrapped file must give
the report the server's file gives. Standard library only; the lines are not edited.
"""
import json
import os
import re
import sys
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else HERE

SOURCES = [
    # (engine, instance, file name, path under samples/)
    ("postgres", "pg-sample-1", "postgresql.log.2026-11-29-05",
     "postgresql/stderr/pg-sample-1/postgresql.log.2026-11-29-05"),
    ("mariadb", "mariadb-sample-1", "mysql-general.log",
     "mariadb/general/mariadb-sample-1/mysql-general.log"),
]

PG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC")
MARIADB_TIME = re.compile(r"^(\d{6}) +(\d{1,2}:\d\d:\d\d)\t")


def line_time(engine, line):
    if engine == "postgres":
        m = PG_TIME.match(line)
        return m and datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")
    m = MARIADB_TIME.match(line)
    return m and datetime.strptime(m.group(1) + " " + m.group(2), "%y%m%d %H:%M:%S")


def timed_lines(engine, text):
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    first = next(t for t in (line_time(engine, l) for l in lines) if t)
    last = first
    for line in lines:
        last = line_time(engine, line) or last
        yield last.replace(tzinfo=timezone.utc), line


def docker(engine, instance, t, line, n):
    stream = "stderr"
    return json.dumps({"log": line + "\n", "stream": stream,
                       "time": t.strftime("%Y-%m-%dT%H:%M:%S.000000000Z")},
                      separators=(",", ":"), ensure_ascii=False)


def journald(engine, instance, t, line, n):
    ident = "postgres" if engine == "postgres" else "mariadbd"
    # PostgreSQL through syslog marks each line "[line-part] ".
    message = f"[{n}-1] {line}" if engine == "postgres" else line
    text = json.dumps({
        "__CURSOR": f"s=0;i={n:x}", "__REALTIME_TIMESTAMP": str(int(t.timestamp()) * 1000000),
        "_HOSTNAME": instance, "SYSLOG_IDENTIFIER": ident, "PRIORITY": "6",
        "MESSAGE": message}, separators=(",", ":"), ensure_ascii=False)
    # journalctl writes control characters as \\u00XX, not \\t (an escaped
    # backslash before a "t" stays as it is).
    return re.sub(r"(?<!\\)((?:\\\\)*)\\t", r"\1\\u0009", text)


def cloud_logging(engine, instance, t, line, n):
    log = "postgres.log" if engine == "postgres" else "mysql-general.log"
    stamp = t.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    return json.dumps({
        "insertId": f"s{n}", "logName": f"projects/sample/logs/cloudsql.googleapis.com%2F{log}",
        "receiveTimestamp": stamp,
        "resource": {"type": "cloudsql_database",
                     "labels": {"database_id": f"sample:{instance}", "project_id": "sample",
                                "region": "europe-west1"}},
        "severity": "INFO", "textPayload": line, "timestamp": stamp},
        separators=(",", ":"), ensure_ascii=False)


def azure(engine, instance, t, line, n):
    if engine != "postgres":
        return None
    return json.dumps({
        "time": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "resourceId": "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/SAMPLE"
                      f"/PROVIDERS/MICROSOFT.DBFORPOSTGRESQL/FLEXIBLESERVERS/{instance.upper()}",
        "category": "PostgreSQLLogs", "operationName": "LogEvent",
        "properties": {"errorLevel": "LOG", "message": line}},
        separators=(",", ":"), ensure_ascii=False)


def shipper(engine, instance, t, line, n):
    return json.dumps({
        "file": f"/var/log/{instance}/log", "host": instance, "message": line,
        "source_type": "file", "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000000Z")},
        separators=(",", ":"), ensure_ascii=False)


def fluent_bit(engine, instance, t, line, n):
    # Fluent Bit's tail input through its file output (format json_lines):
    # the time as "date", seconds since the epoch with a fraction.
    return json.dumps({"date": t.timestamp(), "log": line},
                      separators=(",", ":"), ensure_ascii=False)


def logstash(engine, instance, t, line, n):
    # Logstash's file input with ECS compatibility, through its file output:
    # "log" is an object there (log.file.path), the line is "message".
    return json.dumps({
        "@timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "@version": "1",
        "event": {"original": line}, "host": {"name": instance},
        "log": {"file": {"path": f"/var/log/{instance}/log"}}, "message": line},
        separators=(",", ":"), ensure_ascii=False)


CRI_LINE_SIZE = 100


def cri(engine, instance, t, line, n):
    stamp = t.strftime("%Y-%m-%dT%H:%M:%S.000000000Z")
    data = line.encode("utf-8")
    parts = [data[i:i + CRI_LINE_SIZE] for i in range(0, len(data), CRI_LINE_SIZE)] or [b""]
    # containerd cuts bytes, not characters; the samples' lines are ASCII.
    return "\n".join(f"{stamp} stderr {'F' if i == len(parts) - 1 else 'P'} "
                     + part.decode("utf-8") for i, part in enumerate(parts))


PG_PID = re.compile(r":\[(\d+)\]:")


def syslog_parts(engine, line, n):
    """PostgreSQL's own syslog output (log_destination = syslog): the backend's
    pid, and each message's "[line-part] " marker."""
    if engine != "postgres":
        return None
    pid = PG_PID.search(line)
    return (pid.group(1) if pid else "1"), f"[{n}-1] {line}"


def bsd_syslog(head, engine, line, n, t):
    """A BSD (RFC 3164) syslog line: `head` gets the time stamp (the day
    space-padded) and returns what goes before "postgres[PID]: "."""
    parts = syslog_parts(engine, line, n)
    if parts is None:
        return None
    pid, message = parts
    stamp = f"{t.strftime('%b')} {t.day:2d} {t.strftime('%H:%M:%S')}"
    return f"{head(stamp)}postgres[{pid}]: {message}"


def syslog(engine, instance, t, line, n):
    # As rsyslog writes /var/log/postgresql.log: BSD header, host name.
    return bsd_syslog(lambda stamp: f"{stamp} {instance} ", engine, line, n, t)


def syslog_received(engine, instance, t, line, n):
    # As a collector stores what arrived over the network: <PRI> (local0.info),
    # BSD header without a host name.
    return bsd_syslog(lambda stamp: f"<134>{stamp} ", engine, line, n, t)


def syslog_rfc5424(engine, instance, t, line, n):
    # RFC 5424 (rsyslog's RSYSLOG_SyslogProtocol23Format): <PRI>1 TIME HOST
    # APP PROCID MSGID STRUCTURED-DATA MSG.
    parts = syslog_parts(engine, line, n)
    if parts is None:
        return None
    pid, message = parts
    stamp = t.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00")
    return f"<134>1 {stamp} {instance} postgres {pid} - - {message}"


def tabs_as_spaces(engine, instance, t, line, n):
    if engine != "mariadb":
        return None
    return line.expandtabs(8)


SHAPES = {"docker": docker, "journald": journald, "cloud-logging": cloud_logging,
          "azure": azure, "shipper": shipper, "tabs-as-spaces": tabs_as_spaces, "cri": cri,
          "fluent-bit": fluent_bit, "logstash": logstash,
          "syslog": syslog, "syslog-received": syslog_received,
          "syslog-rfc5424": syslog_rfc5424}

# CloudNativePG reads the csvlog PostgreSQL writes (logpipe, encoding/csv) and
# prints each row through zap: level, ts (RFC 3339 with nanoseconds), logger,
# msg, then the fields logged with it.
CSVLOG = ("pg-sample-1", "postgresql.log.2026-11-29-05.csv",
          "postgresql/csvlog/pg-sample-1/postgresql.log.2026-11-29-05.csv")
CSV_COLUMNS = ["log_time", "user_name", "database_name", "process_id", "connection_from",
               "session_id", "session_line_num", "command_tag", "session_start_time",
               "virtual_transaction_id", "transaction_id", "error_severity", "sql_state_code",
               "message", "detail", "hint", "internal_query", "internal_query_pos", "context",
               "query", "query_pos", "location", "application_name", "backend_type",
               "leader_pid", "query_id"]


def cloudnative_pg(instance, row):
    record = {k: v for k, v in zip(CSV_COLUMNS, row) if v != ""}
    t = datetime.strptime(row[0], "%Y-%m-%d %H:%M:%S.%f UTC")
    return json.dumps({
        "level": "info", "ts": t.strftime("%Y-%m-%dT%H:%M:%S.%f000Z"), "logger": "postgres",
        "msg": "record", "logging_pod": instance, "record": record},
        separators=(",", ":"), ensure_ascii=False)


def write_cloudnative_pg():
    import csv
    instance, name, path = CSVLOG
    with open(os.path.join(HERE, "..", path), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    out = os.path.join(OUT, "cloudnative-pg", instance, name)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write("".join(cloudnative_pg(instance, row) + "\n" for row in rows))
    print(out)


write_cloudnative_pg()

for engine, instance, name, path in SOURCES:
    with open(os.path.join(HERE, "..", path), encoding="utf-8") as f:
        text = f.read()
    for shape, wrap in SHAPES.items():
        records = [wrap(engine, instance, t, line, n + 1)
                   for n, (t, line) in enumerate(timed_lines(engine, text))]
        if any(r is None for r in records):
            continue
        out = os.path.join(OUT, shape, instance, name)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w", encoding="utf-8") as f:
            f.write("".join(r + "\n" for r in records))
        print(out)
        if shape == "cloud-logging":
            out = os.path.join(OUT, "cloud-logging-array", instance, name)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            entries = [json.loads(r) for r in reversed(records)]
            with open(out, "w", encoding="utf-8") as f:
                f.write(json.dumps(entries, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
            print(out)
