"""Keeping the garbage collection Streamlit runs after every script run cheap.

Streamlit calls ``gc.collect(2)`` when a script run ends (``runner.postScriptGC``), and it holds
the interpreter lock while it walks every object the process keeps: with pandas, altair, pyarrow
and the app imported that is about 120,000 objects, 70 ms of CPU, most of what a key press on
the Review screen cost the server, and the screen's answer waited for it (the server cannot send
while the collection runs). Almost all of those objects are modules, functions and classes that
live as long as the process; :func:`freeze_long_lived` moves them out of the collector's reach
(``gc.freeze()``), so the collection after a run walks only what runs made since. It freezes
again when new modules were imported (a page opened for the first time imports its own).
Garbage is still collected: a frozen object that is no longer referenced is freed as before;
only a reference cycle among frozen objects would stay, and those are the process's imports.
"""

from __future__ import annotations

import gc
import sys
import threading

_lock = threading.Lock()
_modules_frozen = 0  # len(sys.modules) at the last freeze


def freeze_long_lived() -> bool:
    """Freeze what is alive now if modules were imported since the last freeze (cheap otherwise:
    one length compared). Returns whether it froze."""
    global _modules_frozen
    if len(sys.modules) == _modules_frozen:
        return False
    with _lock:
        if len(sys.modules) == _modules_frozen:
            return False
        gc.collect()  # what is garbage now is freed, not frozen
        gc.freeze()
        _modules_frozen = len(sys.modules)
        return True
