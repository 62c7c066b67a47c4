"""The cyclic collector runs on the GUI thread only, and still collects."""

import gc
import threading
import weakref

from kpidesk.ui.collector import GuiThreadCollector, collect_on_gui_thread


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_app_owns_the_collector(qapp):
    collector = collect_on_gui_thread(qapp)
    assert isinstance(collector, GuiThreadCollector)
    assert collect_on_gui_thread(qapp) is collector  # installed once
    assert not gc.isenabled()


def test_garbage_made_by_a_worker_is_collected_on_the_gui_thread(qapp):
    collect_on_gui_thread(qapp)
    collected_in = []
    refs = []

    class Tracked(_Cycle):
        def __del__(self) -> None:
            collected_in.append(threading.current_thread() is threading.main_thread())

    def work() -> None:
        for _ in range(2000):  # well past generation 0's threshold
            refs.append(weakref.ref(Tracked()))
            [[] for _ in range(5)]

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert collected_in == []  # nothing was collected in the worker
    collector = collect_on_gui_thread(qapp)
    for _ in range(500):  # the GUI thread goes on working: its timer collects as it fills
        if all(ref() is None for ref in refs):
            break
        busy = [[] for _ in range(1000)]  # alive while the timer looks, as a busy app's are
        collector.collect_when_due()
        del busy
    assert all(ref() is None for ref in refs)
    assert collected_in and all(collected_in)
