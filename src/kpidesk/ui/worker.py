"""Long work off the GUI thread: one worker for every long task (import, export, …).

A job is a plain function ``job(progress, cancelled)`` (see ``services.progress``): the
worker calls it in a ``QThread`` and turns its callbacks into signals. It never touches a
widget. A job that uses the workspace runs through a database connection of the worker
thread's own (``store.threads.thread_connection``). :class:`WorkerRun` is what a window
holds: one job in its own thread, its outcome reported on the GUI thread once the thread
(and its connection) is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import _
from kpidesk.services.progress import CancelFlag, Cancelled, Progress
from kpidesk.store.threads import thread_connection
from kpidesk.store.workspace import Workspace

log = logging.getLogger(__name__)

Job = Callable[[Progress, CancelFlag], object]


class Worker(QObject):
    """Runs one job and reports through signals; ``request_cancel`` may come from any thread.

    ``failure`` is the (untranslated) message for an unexpected error, with ``{reason}``.
    With ``late_cancel`` a job that finishes after Cancel was pressed counts as cancelled
    (its result is dropped); without it, the result stands.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()

    def __init__(
        self,
        job: Job,
        workspace: Workspace | None = None,
        *,
        failure: str,
        late_cancel: bool = True,
    ) -> None:
        super().__init__()
        self._job = job
        self._workspace = workspace
        self._failure = failure
        self._late_cancel = late_cancel
        self._cancel = False

    def request_cancel(self) -> None:
        self._cancel = True  # read by the job between steps

    def is_cancelled(self) -> bool:
        return self._cancel

    @Slot()
    def run(self) -> None:
        try:
            with thread_connection(self._workspace):
                result = self._job(self.progressed.emit, self.is_cancelled)
        except Cancelled:
            self.cancelled.emit()
        except DomainError as error:
            self.failed.emit(error.message)
        except Exception as error:  # an unexpected failure still ends the work cleanly
            log.exception("work in a thread failed")
            self.failed.emit(_(self._failure).format(reason=error))
        else:
            if self._cancel and self._late_cancel:
                self.cancelled.emit()
            else:
                self.succeeded.emit(result)
        finally:
            self.done.emit()


class WorkerRun(QObject):
    """One job in its own thread; ``finished`` comes after the thread has stopped.

    ``stopped`` is the (untranslated) message for a thread that ended without an outcome.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(
        self,
        job: Job,
        workspace: Workspace | None,
        parent: QObject,
        *,
        failure: str,
        stopped: str,
        late_cancel: bool = True,
    ) -> None:
        super().__init__(parent)
        self.thread = QThread(self)
        self.worker = Worker(job, workspace, failure=failure, late_cancel=late_cancel)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self.progressed)
        self.worker.succeeded.connect(self._succeeded)
        self.worker.failed.connect(self._failed)
        self.worker.cancelled.connect(self._cancelled)
        # quit from the worker's own thread: the GUI thread may be busy waiting
        self.worker.done.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        self.thread.finished.connect(self._thread_finished)
        self._stopped = stopped
        self._outcome: tuple[str, object] | None = None

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.worker.request_cancel()

    def wait(self, timeout_ms: int = 30000) -> bool:
        return self.thread.wait(timeout_ms)

    @Slot(object)
    def _succeeded(self, result: object) -> None:
        self._outcome = ("succeeded", result)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._outcome = ("failed", message)

    @Slot()
    def _cancelled(self) -> None:
        self._outcome = ("cancelled", None)

    @Slot()
    def _thread_finished(self) -> None:
        # Reported only now, so that the thread (and its database connection) is gone.
        self.thread.wait()
        outcome = self._outcome or ("failed", _(self._stopped))
        if outcome[0] == "succeeded":
            self.succeeded.emit(outcome[1])
        elif outcome[0] == "failed":
            self.failed.emit(str(outcome[1]))
        else:
            self.cancelled.emit()
        self.finished.emit()
