#!/usr/bin/python3
"""Dump a (panicked) QEMU guest's memory through QMP, then quit QEMU.

    qmp-dump.py SOCKET VMCORE [--format kdump-zlib|elf] [--timeout SECONDS] [--no-quit]

Sends qmp_capabilities, then dump-guest-memory {"paging": false, "protocol":
"file:<VMCORE>", "format": ..., "detach": true}, waits for the DUMP_COMPLETED event
(polling query-dump as well), then quit.  Standard library only.  Exit status 0 only
when the dump completed.
"""
import argparse
import json
import os
import socket
import sys
import time


def die(msg):
    print(f"qmp-dump: error: {msg}", file=sys.stderr)
    sys.exit(1)


class QMP:
    def __init__(self, path, connect_timeout):
        deadline = time.monotonic() + connect_timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError as e:
                self.sock.close()
                if time.monotonic() > deadline:
                    die(f"cannot connect to QMP socket {path}: {e}")
                time.sleep(0.1)
        self.buf = b""
        self.events = []
        self.next_id = 0
        try:
            greeting = self.read_msg(10)
        except (TimeoutError, ConnectionError) as e:
            die(f"no QMP greeting: {e}")
        if "QMP" not in greeting:
            die(f"unexpected QMP greeting: {greeting}")

    def read_msg(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no QMP message")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise TimeoutError("no QMP message") from None
            if not chunk:
                raise ConnectionError("QMP connection closed by QEMU")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, arguments=None, timeout=30):
        self.next_id += 1
        req = {"execute": name, "id": self.next_id}
        if arguments is not None:
            req["arguments"] = arguments
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            msg = self.read_msg(max(0.01, deadline - time.monotonic()))
            if "event" in msg:
                self.events.append(msg)
                continue
            if msg.get("id") != self.next_id:
                continue
            if "error" in msg:
                raise RuntimeError(f"{name}: {msg['error'].get('desc', msg['error'])}")
            return msg.get("return")

    def wait_event(self, timeout):
        if self.events:
            return self.events.pop(0)
        try:
            msg = self.read_msg(timeout)
        except TimeoutError:
            return None
        return msg if "event" in msg else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("socket")
    ap.add_argument("vmcore")
    ap.add_argument("--format", default="kdump-zlib")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--no-quit", action="store_true")
    args = ap.parse_args()

    vmcore = os.path.abspath(args.vmcore)
    qmp = QMP(args.socket, connect_timeout=10)
    try:
        qmp.cmd("qmp_capabilities")
        status = qmp.cmd("query-status")
        print(f"qmp-dump: guest status {status.get('status')}", file=sys.stderr)
        t0 = time.monotonic()
        qmp.cmd("dump-guest-memory", {"paging": False, "protocol": "file:" + vmcore,
                                      "format": args.format, "detach": True})
        deadline = t0 + args.timeout
        result = None
        while result is None:
            if time.monotonic() > deadline:
                die(f"dump did not complete within {args.timeout:.0f} s")
            ev = qmp.wait_event(0.5)
            if ev and ev.get("event") == "DUMP_COMPLETED":
                err = ev.get("data", {}).get("error")
                result = ("failed: " + err) if err else "completed"
                break
            q = qmp.cmd("query-dump")
            if q.get("status") in ("completed", "failed"):
                result = q["status"]
        if result != "completed":
            die(f"dump-guest-memory {result}")
        size = os.path.getsize(vmcore)
        print(f"qmp-dump: {args.format} dump of {size} bytes in "
              f"{time.monotonic() - t0:.1f} s: {vmcore}", file=sys.stderr)
    except (RuntimeError, TimeoutError, ConnectionError) as e:
        die(str(e))
    finally:
        if not args.no_quit:
            try:
                qmp.cmd("quit", timeout=5)
            except Exception:  # QEMU may close the socket before answering
                pass


if __name__ == "__main__":
    main()
