"""mtfs_align.parallel (DESIGN 6 --workers, --scheduler): the same results in the same order, and
the same exceptions, whether tasks run in this process, on local processes, on a Dask LocalCluster
or on a scheduler and a worker started as separate processes on this machine; bad settings and an
unreachable scheduler are bad input (exit 2) without a hang."""

from __future__ import annotations

import operator
import sys
import time

import pytest
from dask_processes import free_port, scheduler_and_worker

from mtfs_align import defaults
from mtfs_align.errors import ContradictionError, InputError, Problem
from mtfs_align.parallel import run_tasks, workers_problems
from mtfs_align.settings import Settings, check_settings, raise_problems

FIRST = Problem("a.csv", "row 2", "cost_k", "is not a number", "give a number such as 120")
SECOND = Problem("b.csv", "row 3", "name", "is empty", "give a name")


@pytest.fixture(scope="module")
def local_cluster():
    """A Dask LocalCluster in this process (threads: quick to start)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def separate_scheduler():
    """`dask scheduler` and one `dask worker` as processes of their own on localhost, on free ports,
    torn down afterwards; yields the scheduler's address."""
    pytest.importorskip("distributed")
    with scheduler_and_worker() as address:
        yield address


ITEMS = [-5, 3, -1, 8, 0, -2, 7]


@pytest.mark.parametrize("how", ["serial", "processes", "local_cluster", "separate"])
def test_results_come_back_in_task_order_with_progress_for_each(how, request):
    given = {
        "serial": {},
        "processes": {"workers": 2},
        "local_cluster": {"scheduler": request.getfixturevalue("local_cluster")} if how == "local_cluster" else {},
        "separate": {"scheduler": request.getfixturevalue("separate_scheduler")} if how == "separate" else {},
    }[how]
    done = []
    results = run_tasks(operator.neg, ITEMS, on_done=lambda i, r: done.append((i, r)), **given)
    assert results == [-x for x in ITEMS]
    assert sorted(done) == [(i, -x) for i, x in enumerate(ITEMS)]
    if how == "serial":
        assert done == sorted(done)  # one after another


def test_more_workers_than_tasks_and_no_tasks():
    assert run_tasks(operator.neg, [4, 5], workers=8) == [-4, -5]
    assert run_tasks(operator.neg, [], workers=2) == []


def _raised(**given) -> InputError:
    with pytest.raises(InputError) as caught:
        run_tasks(raise_problems, [[], [FIRST], [], [SECOND]], **given)
    return caught.value


@pytest.mark.parametrize("how", ["processes", "local_cluster", "separate"])
def test_a_task_error_is_the_same_exception_as_a_serial_run_raises(how, request):
    serial = _raised()
    given = {
        "processes": lambda: {"workers": 2},
        "local_cluster": lambda: {"scheduler": request.getfixturevalue("local_cluster")},
        "separate": lambda: {"scheduler": request.getfixturevalue("separate_scheduler")},
    }[how]()
    err = _raised(**given)
    assert type(err) is InputError
    assert err.problems == serial.problems == [FIRST]  # the first failure in task order
    assert str(err) == str(serial)
    assert err.exit_code == 2


def _after(item: tuple[float, list[Problem]]) -> None:
    delay, problems = item
    time.sleep(delay)
    raise_problems(problems)


@pytest.mark.parametrize("how", ["processes", "local_cluster"])
def test_a_later_failure_that_finishes_first_does_not_hide_the_first_in_task_order(how, request):
    """Task 1 fails slowly, task 3 at once: task 3's failure arrives first, yet task 1's is raised,
    as in a serial run (only the tasks after a failure are cancelled; those before it are awaited)."""
    given = {"workers": 2} if how == "processes" else {"scheduler": request.getfixturevalue("local_cluster")}
    with pytest.raises(InputError) as caught:
        run_tasks(_after, [(0.0, []), (1.0, [FIRST]), (0.0, []), (0.0, [SECOND])], **given)
    assert caught.value.problems == [FIRST]


def test_a_contradiction_keeps_its_type_and_message():
    def check(given):
        with pytest.raises(ContradictionError) as caught:
            run_tasks(_contradiction, [1, 2], **given)
        return caught.value

    serial, parallel = check({}), check({"workers": 2})
    assert type(parallel) is ContradictionError
    assert str(parallel) == str(serial) and parallel.problems == serial.problems


def _contradiction(item: int) -> None:
    raise ContradictionError([Problem("", "", "constraints", f"contradiction {item}")])


@pytest.mark.parametrize("workers", [0, -1, True, 1000])
def test_bad_workers_are_bad_input_located_at_the_flag(workers):
    with pytest.raises(InputError) as caught:
        run_tasks(operator.neg, ITEMS, workers=workers)
    assert [p.field for p in caught.value.problems] == ["--workers"]
    with pytest.raises(InputError) as caught:
        check_settings("frontier", Settings(workers=workers))
    assert "--workers" in str(caught.value)


def test_workers_are_checked_only_by_the_commands_that_take_them():
    assert workers_problems(defaults.WORKERS) == []
    check_settings("optimise", Settings(workers=0))  # optimise takes no --workers
    for command in ("frontier", "robust", "run"):
        with pytest.raises(InputError):
            check_settings(command, Settings(scheduler=" "))


def test_an_unreachable_scheduler_is_bad_input_without_a_hang(monkeypatch):
    monkeypatch.setattr(defaults, "SCHEDULER_TIMEOUT", 2.0)
    began = time.monotonic()
    with pytest.raises(InputError) as caught:
        run_tasks(operator.neg, ITEMS, scheduler=f"tcp://127.0.0.1:{free_port()}")
    assert time.monotonic() - began < 20
    (problem,) = caught.value.problems
    assert problem.field == "--scheduler" and "no Dask scheduler answered" in problem.message


def test_a_scheduler_address_that_is_not_one_is_bad_input(monkeypatch):
    monkeypatch.setattr(defaults, "SCHEDULER_TIMEOUT", 2.0)
    with pytest.raises(InputError) as caught:
        run_tasks(operator.neg, ITEMS, scheduler="nonsense://here")
    assert caught.value.problems[0].field == "--scheduler"


def test_without_dask_the_message_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed raises ImportError
    with pytest.raises(InputError) as caught:
        run_tasks(operator.neg, ITEMS, scheduler="tcp://127.0.0.1:8786")
    assert "pip install 'mtfs-align[dask]'" in str(caught.value)


# ---------------------------------------------------------------------------- the sweeps, file for file

FRONTIER = ["frontier", "scenarios/proposal.yaml", "--points", "3"]
ROBUST = ["robust", "scenarios/proposal.yaml", "--samples", "4"]
RUN = ["run", "scenarios/proposal.yaml", "--points", "3", "--draws", "500", "--samples", "4"]


def _files(args: list[str], tmp_path, name: str, *extra: str) -> dict[str, str]:
    """Every file the command writes (tests/golden's reading: timings and dates left out), and
    what it printed, from the repository's root."""
    from click.testing import CliRunner

    from mtfs_align.cli import cli
    from tests.golden import _folder, _in_repo, _terminal

    out = tmp_path / name
    with _in_repo():
        result = CliRunner().invoke(cli, [*args, "--out", str(out), *extra])
    assert result.exit_code in (0, 1), result.output  # 1: done, but a year does not balance
    files = _folder(out)
    files["terminal.txt"] = _terminal(result, out)
    return files


def _same(serial: dict[str, str], other: dict[str, str]) -> None:
    assert sorted(other) == sorted(serial)
    differ = [name for name in serial if other[name] != serial[name]]
    assert differ == [], f"differ from the serial run: {differ}"


@pytest.mark.parametrize("args", [FRONTIER, ROBUST], ids=["frontier", "robust"])
def test_a_sweep_on_two_workers_and_on_dask_writes_the_serial_files(args, tmp_path, local_cluster):
    serial = _files(args, tmp_path, "serial")
    _same(serial, _files(args, tmp_path, "workers", "--workers", "2"))
    _same(serial, _files(args, tmp_path, "dask", "--scheduler", local_cluster))


@pytest.mark.parametrize("args", [FRONTIER, ROBUST], ids=["frontier", "robust"])
def test_a_sweep_on_a_scheduler_and_worker_of_their_own_writes_the_serial_files(args, tmp_path, separate_scheduler):
    _same(_files(args, tmp_path, "serial"), _files(args, tmp_path, "dask", "--scheduler", separate_scheduler))


@pytest.mark.slow
def test_run_on_two_workers_and_on_dask_writes_the_serial_files(tmp_path, local_cluster):
    serial = _files(RUN, tmp_path, "serial")
    _same(serial, _files(RUN, tmp_path, "workers", "--workers", "2"))
    _same(serial, _files(RUN, tmp_path, "dask", "--scheduler", local_cluster))


def test_the_confidence_frontier_on_two_workers_and_on_dask_is_the_serial_one(tmp_path, local_cluster):
    """Planned for delivery risk (DESIGN 4.6) at each confidence: the same plans and figures."""
    from factory import two_year_council

    from mtfs_align.analysis.frontier import frontier

    model = two_year_council("frontiershire", "frontier").model(tmp_path)
    serial = frontier(model, vary="confidence", points=3)
    for given in ({"workers": 2}, {"scheduler": local_cluster}):
        other = frontier(model, vary="confidence", points=3, **given)
        assert other.table.equals(serial.table)
        assert [p.plan for p in other.points] == [p.plan for p in serial.points]
        assert [p.cvar_k.tolist() for p in other.points] == [p.cvar_k.tolist() for p in serial.points]


def test_the_api_takes_workers_and_scheduler(local_cluster):
    import mtfs_align
    from tests.golden import REPO

    scenario = REPO / "scenarios" / "proposal.yaml"
    serial = mtfs_align.frontier(scenario, points=3)
    for given in ({"workers": 2}, {"scheduler": local_cluster}):
        other = mtfs_align.frontier(scenario, points=3, **given)
        assert other.tables["frontier"].equals(serial.tables["frontier"])
        assert [p.plan for p in other.analyses["frontier"].points] == [
            p.plan for p in serial.analyses["frontier"].points
        ]
    robust = mtfs_align.robust(scenario, samples=3, workers=2)
    assert robust.analyses["robust"].plans == mtfs_align.robust(scenario, samples=3).analyses["robust"].plans


@pytest.mark.parametrize(
    "flags, field",
    [(["--workers", "0"], "--workers"), (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler")],
)
def test_bad_flags_on_the_command_line_exit_2_with_a_located_message(flags, field, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from mtfs_align.cli import cli
    from tests.golden import _in_repo

    monkeypatch.setattr(defaults, "SCHEDULER_TIMEOUT", 2.0)
    out = tmp_path / "out"
    with _in_repo():
        result = CliRunner().invoke(cli, [*FRONTIER, "--out", str(out), *flags])
    assert result.exit_code == 2
    assert f"{field}:" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()  # no partial output


@pytest.mark.slow
def test_sweeps_planned_for_delivery_risk_write_the_serial_files(tmp_path, local_cluster):
    """plan_on: risk (DESIGN 4.6): the frontier re-plans each point on the K futures, and each
    weight sample re-solves the harm stage under the futures' stage bounds, shipped to the workers."""
    from click.testing import CliRunner
    from factory import Council

    from mtfs_align.cli import cli
    from tests.golden import _folder, _terminal

    council = Council(scenario_name="risky")
    council.scenario["policy"] = {"plan_on": "risk", "confidence": 0.8, "risk_draws": 60}
    path = council.write(tmp_path / "council")
    for args in (["frontier", "--points", "2"], ["robust", "--samples", "2"]):
        found = []
        for name, extra in (("serial", []), ("workers", ["--workers", "2"]), ("dask", ["--scheduler", local_cluster])):
            out = tmp_path / f"{args[0]}-{name}"
            result = CliRunner().invoke(cli, [args[0], str(path), *args[1:], "--out", str(out), "-q", *extra])
            assert result.exit_code in (0, 1), result.output
            found.append((_terminal(result, out), _folder(out)))
        assert found[1] == found[0] and found[2] == found[0]
