"""Lazy, bounded iteration over a document stream: fixed-size batches, and an ordered thread-pool map
that reads its input lazily (the loop, the local and the Ray engines all stream this way)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor


def batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ordered_map(fn: Callable, items: Iterable, *, workers: int, ahead: int) -> Iterator[tuple]:
    """(item, fn(item)) in input order, computed on `workers` threads with at most `ahead` items
    submitted and not yet yielded: the input is read lazily and memory stays bounded."""
    pending: deque[tuple[object, Future]] = deque()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="semsiedit")
    try:
        for item in items:
            pending.append((item, pool.submit(fn, item)))
            if len(pending) >= ahead:
                item0, future = pending.popleft()
                yield item0, future.result()
        while pending:
            item0, future = pending.popleft()
            yield item0, future.result()
    finally:
        # Interrupted (Ctrl-C, an error, the consumer stopped): drop what has not started; the
        # documents in progress finish in the background and their results are discarded.
        pool.shutdown(wait=False, cancel_futures=True)
