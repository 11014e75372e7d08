"""The embedded broker (ADR-0014): kombu's filesystem transport, made safe to read while
another process writes.

kombu writes a message under its final name and then fills it, so a worker polling at
that moment can take an empty file and die on it ("Expecting value"). Here a message is
written under a name no reader looks for and renamed into place once complete: a
rename within one folder is atomic, so a reader sees the whole message or nothing.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    # kombu names the second parameter differently in its two base classes.
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        # The same name kombu gives it, so readers keep their first-in, first-out order.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.partial"
        try:
            with open(partial, "wb") as file:
                file.write(dumps(payload).encode())
            os.rename(partial, final)
        except OSError as error:
            raise ChannelError(f"cannot add {final!r} to the queue folder") from error


class Transport(filesystem.Transport):
    Channel = Channel
