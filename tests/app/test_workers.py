"""Worker jobs report back through a relay; one that ends after the program has started
quitting (its relay deleted with the objects that listened) ends quietly."""

from __future__ import annotations

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
