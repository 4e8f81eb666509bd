"""Starts test Synapses by forking one process that has already imported it.

Importing Synapse is about 1.2 s of the 1.75 s of CPU a start costs, and
the test suite starts some seventy Synapses, one per test that needs one
(each test keeps its own server, users and rooms). This server imports
Synapse once, then forks a child for each start: the child reads its own
config and runs as `python -m synapse.app.homeserver -c CONFIG` would.
Only the import is shared; nothing of one test's homeserver is.

    python synapse-forkserver.py SOCKET     # serves on a Unix socket until killed

A client (`scripts/synapse.sh start` when SYNAPSE_FORKSERVER names the
socket) sends one JSON line, {"config": PATH, "stdout": PATH, "cwd": PATH},
and reads back one line: the child's process id, or `error: <why>`. The
server reaps its children, so a stopped Synapse's id disappears at once (a
test waits for that). The children carry the server's environment.
"""

import gc
import json
import os
import select
import signal
import socket
import sys
import threading
import traceback

import synapse.app.homeserver as homeserver
from twisted.internet import reactor


def reap(_signum, _frame):
    """Collects every child that has exited (no zombies left behind)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def check_unused():
    """Fails at once if the import left anything a fork would share.

    `own_reactor` renews the epoll and the waker; it relies on nothing
    else having been made yet (a newer Twisted or Synapse might).
    """
    unused = (
        set(reactor._selectables.values()) == {reactor.waker}
        and not reactor.running
        and reactor.threadpool is None
        and not reactor._pendingTimedCalls
        and not reactor._newTimedCalls
        and threading.active_count() == 1
    )
    if not unused:
        raise RuntimeError("importing Synapse started the reactor, a timer or a thread: it cannot be forked")


def own_reactor():
    """Gives the child a reactor of its own.

    Importing Synapse installed Twisted's epoll reactor here, before the
    fork: its epoll instance and its waker pipe would otherwise be shared
    with the server and every other child, so one homeserver's wake-ups
    could be read by another. Nothing has run on it yet (`check_unused`),
    so a new epoll and a new waker are all it needs. Changed in place, not
    installed anew: modules that imported `reactor` keep a valid one.
    """
    waker = reactor.waker
    reactor._poller.close()
    reactor._poller = select.epoll(1024)
    reactor._selectables.clear()
    reactor._reads.clear()
    reactor._writes.clear()
    reactor._internalReaders.discard(waker)
    os.close(waker.i)
    os.close(waker.o)
    reactor.waker = None
    reactor.installWaker()


def child(server, conn, request):
    """Runs one homeserver in this (forked) process; never returns."""
    status = 1
    try:
        server.close()
        conn.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        # Its output first, so that anything failing below is in its log.
        # The child stays in the server's process group (the test run's):
        # an interrupted run's Ctrl-C reaches it as it reached a plain start.
        out = os.open(os.path.join(request["cwd"], request["stdout"]), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        os.close(null)
        os.chdir(request["cwd"])
        own_reactor()
        sys.argv = ["synapse.app.homeserver", "-c", request["config"]]
        homeserver.main()
        status = 0
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def serve(path):
    # Listening before the socket takes its name: a client that finds it
    # can connect.
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path + ".new")
    server.listen(64)
    os.rename(path + ".new", path)
    check_unused()
    signal.signal(signal.SIGCHLD, reap)
    # What the import made lives as long as every child: keep the collector
    # off it (and its pages shared between the children).
    gc.freeze()
    while True:
        conn, _ = server.accept()
        # A client that never finishes its line must not hold up the rest.
        conn.settimeout(5)
        with conn:
            try:
                line = conn.makefile("rb").readline()
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise ValueError("the request is not a JSON object")
                for key in ("config", "stdout", "cwd"):
                    if not isinstance(request.get(key), str):
                        raise ValueError(f"the request names no {key}")
            except (OSError, ValueError) as e:
                try:
                    conn.sendall(f"error: {e}\n".encode())
                except OSError:
                    pass
                continue
            try:
                pid = os.fork()
            except OSError as e:
                print(f"request {request}: cannot fork: {e}", file=sys.stderr, flush=True)
                continue
            if pid == 0:
                child(server, conn, request)
            try:
                conn.sendall(f"{pid}\n".encode())
            except OSError as e:
                # The client left: it will not own this Synapse, so none
                # does. Stopped, not left running beside a plain start.
                print(f"request {request}: the client left ({e}); stopping {pid}", file=sys.stderr, flush=True)
                os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: synapse-forkserver.py SOCKET")
    serve(sys.argv[1])
