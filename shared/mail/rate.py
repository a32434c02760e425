"""EMAIL_MAX_PER_MINUTE: at most N sends start in any window of 60 s (DESIGN section 5, R2).

Providers throttle by a sliding window (Azure Communication Services Email: 30 a minute by
default), so a burst of N followed by a pause is as good as an even pace and finishes sooner. The
window is a parameter so tests can use a short one.

A send takes its turn before it is claimed and starts a little later: until it starts (or gives
its turn back) it holds a place in the window, so the window is kept over the real start times.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0


class SendRate:
    def __init__(self, limit: int, window_seconds: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit  # 0: no limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._starts: deque[float] = deque()  # the window's starts, oldest first
        self._holding = 0  # turns given whose sends have not started yet
        self._changed = asyncio.Condition()

    async def take_turn(self, deadline: float) -> bool:
        """Wait until a send may start; False if that is not before `deadline` (the same clock).
        A True is followed by `started()` or `give_back()`."""
        if not self.limit:
            return True
        async with self._changed:
            while True:
                now = self._clock()
                while self._starts and self._starts[0] <= now - self.window_seconds:
                    self._starts.popleft()
                if self._holding + len(self._starts) < self.limit:
                    self._holding += 1
                    return True
                # Free again when the oldest start leaves the window, or a held turn is given back.
                frees_at = self._starts[0] + self.window_seconds if self._starts else deadline
                if frees_at >= deadline and not self._holding:
                    return False
                if now >= deadline:
                    return False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), min(frees_at, deadline) - now)

    async def started(self) -> None:
        await self._update(start=True)

    async def give_back(self) -> None:
        await self._update(start=False)

    async def _update(self, *, start: bool) -> None:
        if not self.limit:
            return
        async with self._changed:
            self._holding -= 1
            if start:
                self._starts.append(self._clock())
            self._changed.notify_all()
