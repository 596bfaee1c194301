"""Progress bars: shown to a person at a terminal, silent for cron and scripts."""

from feeds.progress import ProgressBars


def test_disabled_bars_take_reports_and_print_nothing(capsys):
    with ProgressBars(enabled=False) as bars:
        bars.update("load", 1, 2)
        bars.stage("send")(3, 4)
    assert capsys.readouterr() == ("", "")


def test_bars_show_each_stage_on_standard_error_only(capsys, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich draws as on a terminal
    with ProgressBars(enabled=True) as bars:
        bars.update("load", 2, 2)
        bars.stage("send")(3, 3)
    out, err = capsys.readouterr()
    assert out == ""
    assert "reading pages" in err and "sending" in err and "3/3" in err
