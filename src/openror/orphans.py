"""Helper processes end with the process that started them.

A worker of a ``ProcessPoolExecutor`` waits on its call queue, whose write end it holds
too: when its parent is killed (SIGTERM from systemd or an operator, SIGKILL), it never
sees the queue end and waits forever (found: an import stopped with SIGTERM left its
120 MB helper behind for hours). So each helper watches its parent and leaves when it is
gone (the helper is then adopted by another process: its parent id changes).
"""

from __future__ import annotations

import os
import threading
import time

#: how often a helper looks for its parent, in seconds
CHECK_EVERY_S = 1.0


def exit_with_parent() -> None:
    """In a helper process (a pool's initializer): exit as soon as the parent is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(CHECK_EVERY_S)
        os._exit(0)  # nobody is left to read what it would finish

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
