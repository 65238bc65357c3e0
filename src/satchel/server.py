"""Running the application: one process, or several sharing the port (SO_REUSEPORT).

uvloop is used when installed (it trims the event loop's share of each request); the
standard asyncio loop otherwise. Every process, worker or not, logs the same way (level from
``SATCHEL_LOG_LEVEL``, access lines included) and stops cleanly on SIGTERM or SIGINT: open
requests are finished and waiting access lines written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
from collections.abc import Coroutine
from typing import Any

from aiohttp import web

from satchel.access_log import RedactingAccessLogger, flush_access_log
from satchel.app import create_app
from satchel.config import Settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level, format=LOG_FORMAT)


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)


async def serve_forever(settings: Settings, *, reuse_port: bool = False) -> None:
    """Serve until SIGTERM or SIGINT (where signals can be caught) or cancellation."""
    stop = asyncio.Event()
    _stop_on_signals(stop)
    runner = web.AppRunner(create_app(settings), access_log_class=RedactingAccessLogger)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, settings.port, reuse_port=reuse_port).start()
        await stop.wait()
    finally:
        await runner.cleanup()
        flush_access_log()


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # Not in a thread other than the main one, nor on Windows: the default action stays.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)


def serve(settings: Settings, workers: int = 1) -> None:
    """Serve until stopped; with ``workers`` > 1, that many processes share the port."""
    if workers <= 1:
        run_loop(serve_forever(settings))
        return
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=run_worker, args=(settings,), daemon=True) for _ in range(workers)
    ]
    for process in processes:
        process.start()

    def stop(signum: int, frame: object) -> None:
        # Workers must not outlive their parent: they would keep the port.
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(10)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        for process in processes:
            process.join()
    except KeyboardInterrupt:  # a terminal's Ctrl-C reaches the workers too; they stop cleanly
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.terminate()


def run_worker(settings: Settings) -> None:
    """One worker process of ``serve``: its own logging set-up, then the shared port."""
    configure_logging(settings)
    with contextlib.suppress(KeyboardInterrupt):
        run_loop(serve_forever(settings, reuse_port=True))
