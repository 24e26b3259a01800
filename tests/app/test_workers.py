"""Worker jobs report back through a relay; one that ends after the program has started
quitting (its relay deleted with the objects that listened) ends quietly."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6

from pencastviewer.app.workers import Job


def test_a_job_whose_relay_is_gone_ends_quietly(qtbot) -> None:
    for work in (lambda: 42, lambda: 1 / 0):
        job = Job(work)
        shiboken6.delete(job.relay)
        job.run()  # the thread pool's call: no "Signal source has been deleted"


def test_a_job_reports_its_result_or_its_error(qtbot) -> None:
    job = Job(lambda: 42)
    with qtbot.waitSignal(job.relay.succeeded) as result:
        job.run()
    assert result.args == [42]
    job = Job(lambda: 1 / 0)
    with qtbot.waitSignal(job.relay.failed) as error:
        job.run()
    assert isinstance(error.args[0], ZeroDivisionError)


def test_a_job_keeps_nothing_of_its_work_once_run(qtbot) -> None:
    """PySide's thread pool never lets go of a job that does not delete itself: what its
    work holds (the notebook of an open, of a peaks job, of an export) must not stay."""
    import gc
    import weakref

    class Document:
        pass

    def open_work() -> Callable[[], object]:
        document = Document()
        works.append(weakref.ref(document))
        return lambda: document is not None

    works: list[weakref.ref[Document]] = []
    job = Job(open_work())
    with qtbot.waitSignal(job.relay.succeeded):
        job.start()
    held = works[0]
    gc.collect()
    assert held() is None
