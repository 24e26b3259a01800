"""The Qt output's transport rules, without Qt: each event's actions and the state left."""

from pencastviewer.audio.state_machine import Action, PlaybackState, Transport

A = Action


def test_play_before_the_media_is_loaded_waits_then_starts_at_the_playhead():
    t = Transport()
    assert t.play(covered=True) == []  # nothing to start yet
    assert t.state == PlaybackState.PLAYING and t.want_playing and not t.running
    assert t.loaded(covered=True) == [A.QUIET_COPY, A.SEEK_PLAYER, A.START_PLAYER]
    assert t.running and not t.seek_pending


def test_loading_without_play_only_sends_the_player_to_the_playhead():
    t = Transport()
    assert t.loaded(covered=True) == [A.QUIET_COPY, A.SEEK_PLAYER]
    assert t.state == PlaybackState.STOPPED and not t.running


def test_a_seek_to_audio_not_yet_copied_stalls_then_resumes_there():
    t = Transport()
    t.loaded(covered=True)
    t.play(covered=True)
    assert t.seek(covered=False) == [A.REQUEST_COPY, A.PAUSE_PLAYER, A.HOLD_CLOCK]
    assert t.stalled and t.seek_pending and not t.running
    assert t.state == PlaybackState.PLAYING  # the user still hears "playing": it waits
    assert t.copy_advanced(covered=False) == [A.REQUEST_COPY]  # still short: keeps waiting
    assert t.copy_advanced(covered=True) == [A.QUIET_COPY, A.SEEK_PLAYER, A.START_PLAYER]
    assert t.running and not t.stalled


def test_news_of_the_copy_is_dropped_when_nothing_waits_for_it():
    t = Transport()
    t.loaded(covered=True)
    assert t.copy_advanced(covered=True) == [A.QUIET_COPY]
    assert t.copy_finished(covered=True) == []


def test_pausing_while_stalled_does_not_start_when_the_copy_arrives():
    t = Transport()
    t.loaded(covered=True)
    t.play(covered=True)
    t.seek(covered=False)
    assert t.pause() == [A.PAUSE_PLAYER, A.HOLD_CLOCK]
    assert t.state == PlaybackState.PAUSED
    assert A.START_PLAYER not in t.copy_advanced(covered=True)


def test_running_short_while_playing_stalls():
    t = Transport()
    t.loaded(covered=True)
    t.play(covered=True)
    assert t.running_short(covered=False) == [A.REQUEST_COPY, A.PAUSE_PLAYER, A.HOLD_CLOCK]
    assert t.seek_pending and t.stalled


def test_pause_from_stopped_stays_stopped_and_stop_halts():
    t = Transport()
    assert t.pause() == [A.HOLD_CLOCK] and t.state == PlaybackState.STOPPED
    t.loaded(covered=True)
    t.play(covered=True)
    assert t.stop() == [A.PAUSE_PLAYER, A.HOLD_CLOCK]
    assert t.state == PlaybackState.STOPPED and not t.want_playing and not t.running


def test_end_of_media_and_failure_stop_and_forget_the_wish_to_play():
    t = Transport()
    t.loaded(covered=True)
    t.play(covered=True)
    assert t.ended() == [A.HOLD_CLOCK, A.JUMP_TO_END]
    assert t.state == PlaybackState.STOPPED and not t.want_playing
    t.play(covered=True)
    assert t.failed() == [A.STOP_PLAYER, A.HOLD_CLOCK] and t.state == PlaybackState.STOPPED


def test_unload_forgets_everything():
    t = Transport()
    t.loaded(covered=True)
    t.play(covered=True)
    t.unload()
    assert t == Transport()


def test_the_state_is_a_string_for_qt_signals():
    assert PlaybackState.PLAYING == "playing" and isinstance(PlaybackState.PAUSED, str)
