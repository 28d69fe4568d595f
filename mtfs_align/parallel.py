"""The one place that runs a list of independent tasks (DESIGN 6 `--workers`, `--scheduler`):
one after another in this process, on local worker processes, or on a running Dask distributed
scheduler's workers. Whichever runs them, the results come back in the order of the tasks and
are the same: a task must be a function of its item alone (no state carried between tasks).

    from mtfs_align.parallel import run_tasks
    results = run_tasks(solve_point, points, workers=2)

`fn` must be a module-level function and each item picklable (local processes are started with
"spawn", so nothing is inherited from this process; a Dask worker needs mtfs_align installed).
A task's exception is raised here as the same exception, with its own message and fields
(an InputError still carries its located problems), so the command line reports it as it would
a serial run's; when several tasks fail, it is the first in task order, as a serial run would.
Dask is an optional extra (`pip install 'mtfs-align[dask]'`), imported only when a scheduler is given.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from mtfs_align import defaults
from mtfs_align.errors import InputError, Problem

Done = Callable[[int, Any], None]  # on_done(index of the task, its result), as each task finishes


def workers_problems(workers: int, scheduler: str | None = None) -> list[Problem]:
    """What is wrong with --workers and --scheduler (empty when nothing is)."""
    problems = []
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        problems.append(
            Problem(
                "",
                "",
                "--workers",
                f"{workers} is not a number of worker processes",
                "give a whole number of 1 or more, e.g. --workers 2 (1 runs everything in this process)",
            )
        )
    elif workers > defaults.LIMITS["workers"][1]:
        most = defaults.LIMITS["workers"][1]
        problems.append(
            Problem(
                "",
                "",
                "--workers",
                f"{workers} worker processes is more than {most}",
                f"give at most {most}; for more machines, use --scheduler with a Dask cluster",
            )
        )
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        problems.append(
            Problem(
                "",
                "",
                "--scheduler",
                "the scheduler's address is empty",
                "give the address of a running Dask scheduler, e.g. --scheduler tcp://10.0.0.5:8786",
            )
        )
    return problems


def run_tasks(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    *,
    workers: int = defaults.WORKERS,
    scheduler: str | None = None,
    on_done: Done | None = None,
) -> list:
    """`[fn(item) for item in items]`, in that order, run serially (workers 1, no scheduler), on
    `workers` local processes, or on the Dask scheduler at `scheduler` (which takes precedence).
    `on_done(index, result)` is called here, in this process, as each task finishes."""
    problems = workers_problems(workers, scheduler)
    if problems:
        raise InputError(problems)
    items = list(items)
    if scheduler is not None:
        return _on_dask(fn, items, scheduler.strip(), on_done)
    if workers == 1 or len(items) <= 1:
        return _serial(fn, items, on_done)
    return _on_processes(fn, items, min(workers, len(items)), on_done)


# ---------------------------------------------------------------------------- how tasks come back


@dataclass
class _Failure:
    """A task's exception, carried back whole: exceptions whose __init__ takes other arguments than
    their args (InputError takes its problems) do not survive pickling as they are."""

    kind: type
    args: tuple
    state: dict
    where: str

    @classmethod
    def of(cls, err: BaseException) -> _Failure:
        return cls(type(err), err.args, dict(getattr(err, "__dict__", {})), traceback.format_exc())

    def rebuilt(self) -> BaseException:
        err = self.kind.__new__(self.kind, *self.args)
        err.args = self.args
        err.__dict__.update(self.state)
        if hasattr(err, "add_note"):
            err.add_note("Raised in a worker:\n" + self.where)
        return err


def _call(fn: Callable[[Any], Any], item: Any) -> Any:
    """Run one task where it is sent; its exception comes back as a _Failure result."""
    try:
        return fn(item)
    except Exception as err:  # carried back and raised in the caller's process
        return _Failure.of(err)


def _serial(fn, items, on_done) -> list:
    results = []
    for index, item in enumerate(items):
        results.append(fn(item))
        if on_done is not None:
            on_done(index, results[-1])
    return results


def _collect(finished: Iterable[tuple[int, Any]], count: int, on_done, stop: Callable[[int], None]) -> list:
    """Results in task order from (index, result) pairs as they finish. After a failure at index i,
    the tasks after i are cancelled (`stop(i)`) and those before it are waited for, so the failure
    raised is the first in task order, which is what a serial run raises, however the tasks were
    scheduled (a Dask worker may finish task 3 before task 1)."""
    results: list[Any] = [None] * count
    failed: dict[int, _Failure] = {}
    for index, result in finished:
        if isinstance(result, _Failure):
            if not failed or index < min(failed):
                stop(index)
            failed[index] = result
            continue
        results[index] = result
        if on_done is not None and not failed:
            on_done(index, result)
    if failed:
        raise failed[min(failed)].rebuilt()
    return results


def _on_processes(fn, items, workers: int, on_done) -> list:
    import concurrent.futures as cf
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_call, fn, item): index for index, item in enumerate(items)}

        def stop(after: int) -> None:
            for future, index in futures.items():
                if index > after:
                    future.cancel()

        def finished():
            for future in cf.as_completed(futures):
                if not future.cancelled():
                    yield futures[future], future.result()

        try:
            return _collect(finished(), len(items), on_done, stop)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


# ---------------------------------------------------------------------------- Dask distributed


def _dask_client(address: str):
    """A client of the running scheduler at `address`, with at least one worker; bad input (exit 2)
    when Dask is not installed, the address is not one, or nothing answers in time."""
    try:
        from distributed import Client
    except ImportError as err:
        raise InputError(
            [
                Problem(
                    "",
                    "",
                    "--scheduler",
                    "running on a Dask scheduler needs Dask, which is not installed",
                    "install the extra with pip install 'mtfs-align[dask]', or leave out --scheduler",
                )
            ]
        ) from err
    wait = defaults.SCHEDULER_TIMEOUT
    try:
        client = Client(address, timeout=wait, set_as_default=False)
    except ValueError as err:
        raise InputError(
            [
                Problem(
                    "",
                    "",
                    "--scheduler",
                    f"'{address}' is not the address of a Dask scheduler ({err})",
                    "give it as tcp://HOST:PORT, e.g. --scheduler tcp://10.0.0.5:8786",
                )
            ]
        ) from err
    except (OSError, TimeoutError) as err:
        raise InputError(
            [
                Problem(
                    "",
                    "",
                    "--scheduler",
                    f"no Dask scheduler answered at {address} within {wait:g} s",
                    "check the address and that the scheduler is running (dask scheduler), or leave out --scheduler",
                )
            ]
        ) from err
    try:
        client.wait_for_workers(1, timeout=wait)
    except (OSError, TimeoutError) as err:
        client.close()
        raise InputError(
            [
                Problem(
                    "",
                    "",
                    "--scheduler",
                    f"the Dask scheduler at {address} has no workers (none joined within {wait:g} s)",
                    "start workers with dask worker " + address + ", or leave out --scheduler",
                )
            ]
        ) from err
    return client


def _on_dask(fn, items, address: str, on_done) -> list:
    client = _dask_client(address)
    from distributed import as_completed

    try:
        futures = [client.submit(_call, fn, item, pure=False) for item in items]
        index = {future.key: i for i, future in enumerate(futures)}

        def stop(after: int) -> None:
            client.cancel(futures[after + 1 :])

        def finished():
            for future in as_completed(futures, loop=client.loop):
                if future.status == "cancelled":
                    continue
                yield index[future.key], future.result()

        return _collect(finished(), len(items), on_done, stop)
    finally:
        client.close()
