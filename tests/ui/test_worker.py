"""The one worker for long work: result, progress, failure in words, cancel."""

import threading

import pytest
from PySide6.QtCore import QObject

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_
from kpidesk.services.progress import Cancelled
from kpidesk.ui.worker import WorkerRun

FAILURE = N_("The import failed: {reason}")
STOPPED = N_("The import stopped unexpectedly.")


def run_job(qtbot, job, *, late_cancel=True, cancel_before_end=False):
    parent = QObject()
    seen = {"progress": [], "outcome": None, "finished": 0}
    run = WorkerRun(job, None, parent, failure=FAILURE, stopped=STOPPED, late_cancel=late_cancel)
    run.progressed.connect(lambda done, total: seen["progress"].append((done, total)))
    run.succeeded.connect(lambda result: seen.update(outcome=("succeeded", result)))
    run.failed.connect(lambda message: seen.update(outcome=("failed", message)))
    run.cancelled.connect(lambda: seen.update(outcome=("cancelled", None)))
    run.finished.connect(lambda: seen.update(finished=seen["finished"] + 1))
    if cancel_before_end:
        run.cancel()
    run.start()
    qtbot.waitUntil(lambda: seen["finished"] == 1, timeout=10_000)
    assert not run.thread.isRunning()  # reported only once the thread has ended
    return seen


def test_a_job_runs_in_another_thread_and_reports_progress_and_result(qtbot):
    main = threading.get_ident()

    def job(progress, cancelled):
        progress(1, 2)
        progress(2, 2)
        return threading.get_ident()

    seen = run_job(qtbot, job)
    assert seen["progress"] == [(1, 2), (2, 2)]
    assert seen["outcome"][0] == "succeeded" and seen["outcome"][1] != main


def test_failures_come_as_one_line_in_words(qtbot):
    def domain(progress, cancelled):
        raise DomainError(N_("No sheet called {name}."), name="Data")

    def unexpected(progress, cancelled):
        raise KeyError("planted")

    assert run_job(qtbot, domain)["outcome"] == ("failed", "No sheet called Data.")
    assert run_job(qtbot, unexpected)["outcome"] == (
        "failed",
        "The import failed: 'planted'",
    )


@pytest.mark.parametrize("late_cancel", [True, False])
def test_cancel_reaches_the_job(qtbot, late_cancel):
    def job(progress, cancelled):
        if cancelled():
            raise Cancelled()
        return "done"

    seen = run_job(qtbot, job, late_cancel=late_cancel, cancel_before_end=True)
    assert seen["outcome"] == ("cancelled", None)


@pytest.mark.parametrize(("late_cancel", "outcome"), [(True, "cancelled"), (False, "succeeded")])
def test_a_result_after_cancel_is_dropped_only_with_late_cancel(qtbot, late_cancel, outcome):
    def job(progress, cancelled):
        return "written"  # the job never looked at the flag

    seen = run_job(qtbot, job, late_cancel=late_cancel, cancel_before_end=True)
    assert seen["outcome"][0] == outcome
