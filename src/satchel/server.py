"""Running the application: one process, or several sharing the port (SO_REUSEPORT).

uvloop is used when installed (it trims the event loop's share of each request); the
standard asyncio loop otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
from collections.abc import Coroutine
from typing import Any

from aiohttp import web

from satchel.access_log import RedactingAccessLogger
from satchel.app import create_app
from satchel.config import Settings


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)


async def serve_forever(settings: Settings, *, reuse_port: bool = False) -> None:
    # Per-request access logging costs more than many requests do; workers skip it.
    app = create_app(settings)
    runner = (
        web.AppRunner(app, access_log=None)
        if reuse_port
        else web.AppRunner(app, access_log_class=RedactingAccessLogger)
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, settings.port, reuse_port=reuse_port).start()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def serve(settings: Settings, workers: int = 1) -> None:
    """Serve until interrupted; with ``workers`` > 1, that many processes share the port."""
    if workers <= 1:
        run_loop(serve_forever(settings))
        return
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker, args=(settings,), daemon=True) for _ in range(workers)
    ]
    for process in processes:
        process.start()

    def stop(signum: int, frame: object) -> None:
        # Workers must not outlive their parent: they would keep the port.
        for process in processes:
            process.terminate()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        for process in processes:
            process.join()
    except KeyboardInterrupt:
        for process in processes:
            process.terminate()


def _worker(settings: Settings) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        run_loop(serve_forever(settings, reuse_port=True))
