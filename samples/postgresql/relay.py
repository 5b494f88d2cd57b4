#!/usr/bin/env python3
"""Tiny TCP relay that gives each sample client its own loopback source address.

Usage: relay.py --upstream 127.0.0.1:5432 --ready-file FILE [--max-seconds S] N [N ...]

For every N it listens on 127.0.0.1:<ephemeral port> and connects each accepted
client to the upstream address from source address 127.0.0.N, copying bytes both
ways untouched (so TLS passes straight through). When all listeners are bound it
writes "N PORT" lines to FILE (atomically). It exits on SIGTERM/SIGINT, when its
parent process goes away, or after --max-seconds. Standard library only.
"""
import argparse
import os
import signal
import socket
import sys
import threading
import time


def pump(src, dst, done):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        # Propagate the half-close (EOF) so the other side sees what a direct
        # client would have done.
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        done.release()


def handle(client, upstream, source_ip):
    try:
        server = socket.create_connection(upstream, timeout=10, source_address=(source_ip, 0))
        server.settimeout(None)
    except OSError as e:
        print(f"relay: {source_ip}: cannot reach {upstream}: {e}", file=sys.stderr)
        client.close()
        return
    for s in (client, server):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    done = threading.Semaphore(0)
    threading.Thread(target=pump, args=(client, server, done), daemon=True).start()
    threading.Thread(target=pump, args=(server, client, done), daemon=True).start()
    done.acquire()
    done.acquire()
    client.close()
    server.close()


def serve(listener, upstream, source_ip):
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=handle, args=(client, upstream, source_ip), daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True, help="HOST:PORT of the server")
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--max-seconds", type=float, default=300.0)
    ap.add_argument("last_octets", nargs="+", type=int)
    args = ap.parse_args()

    host, port = args.upstream.rsplit(":", 1)
    upstream = (host, int(port))
    lines = []
    for n in args.last_octets:
        if not 1 <= n <= 254:
            ap.error(f"bad last octet {n}")
        source_ip = f"127.0.0.{n}"
        # Fail early if this machine cannot use the source address.
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        probe.bind((source_ip, 0))
        probe.close()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        lines.append(f"{n} {listener.getsockname()[1]}\n")
        threading.Thread(target=serve, args=(listener, upstream, source_ip), daemon=True).start()

    tmp = args.ready_file + ".tmp"
    with open(tmp, "w") as f:
        f.writelines(lines)
    os.replace(tmp, args.ready_file)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    parent = os.getppid()
    deadline = time.monotonic() + args.max_seconds
    while not stop.is_set() and time.monotonic() < deadline:
        if os.getppid() != parent:  # the script that started us is gone
            break
        stop.wait(0.2)
    # Daemon threads die with the process.
    os._exit(0)


if __name__ == "__main__":
    main()
