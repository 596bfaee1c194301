import datetime as dt
from contextlib import closing

import pytest

from feeds.database import connect
from feeds.model import Section
from feeds.subscribers import (
    SubscriberError,
    add,
    all_subscribers,
    get,
    import_csv,
    remove,
    section_slugs,
    unsubscribe,
)
from feeds.tokens import InvalidToken, Tokens

NOW = dt.datetime(2024, 3, 2, 8, 0, tzinfo=dt.UTC)
KNOWN = (Section("教育", "education", 0), Section("经济", "economy", 1),
         Section("文化", "culture", 2))


@pytest.fixture
def db(tmp_path):
    with closing(connect(tmp_path / "feeds.sqlite")) as db:
        yield db


def test_add_then_add_again_updates_and_reports_what_happened(db):
    first, outcome = add(db, "Reader@Example.COM", NOW, name="王芳")
    assert outcome == "added" and first.email == "Reader@example.com"
    assert first.sections is None and first.status == "active"
    same, outcome = add(db, "reader@example.com", NOW)  # same address, other case
    assert outcome == "unchanged" and same.id == first.id and same.name == "王芳"
    changed, outcome = add(db, "reader@example.com", NOW, sections=("education",))
    assert outcome == "updated" and changed.sections == ("education",)
    assert changed.name == "王芳"  # kept: not given again
    assert len(all_subscribers(db)) == 1


@pytest.mark.parametrize("address", ["not-an-address", "a@b", "a@localhost", "a b@example.com"])
def test_invalid_addresses_are_refused_with_the_reason(db, address):
    with pytest.raises(SubscriberError, match="is not an email address"):
        add(db, address, NOW)
    assert all_subscribers(db) == []


def test_sections_by_slug_or_name_in_configured_order():
    assert section_slugs(["经济", "education", "economy"], KNOWN) == ("education", "economy")
    assert section_slugs(["all"], KNOWN) is None
    assert section_slugs([], KNOWN) is None


def test_a_section_that_does_not_exist_is_refused_with_the_choices():
    with pytest.raises(SubscriberError, match=r"no section 'sport'.*education \(教育\)"):
        section_slugs(["sport"], KNOWN)


def test_remove_deletes_the_subscriber(db):
    add(db, "a@example.com", NOW)
    assert remove(db, "A@example.com") and get(db, "a@example.com") is None
    assert not remove(db, "a@example.com")


def test_unsubscribe_with_a_valid_token_keeps_the_address_marked(db):
    reader, _ = add(db, "a@example.com", NOW)
    tokens = Tokens("k")
    token = tokens.make("unsubscribe", reader.id, reader.email)
    assert unsubscribe(db, tokens, token, NOW).status == "unsubscribed"
    assert unsubscribe(db, tokens, token, NOW).status == "unsubscribed"  # twice is fine
    again, outcome = add(db, "a@example.com", NOW)  # an explicit add subscribes again
    assert (outcome, again.status) == ("resubscribed", "active")


def test_a_token_for_an_address_that_changed_or_left_is_refused(db):
    reader, _ = add(db, "a@example.com", NOW)
    tokens = Tokens("k")
    stale = tokens.make("unsubscribe", reader.id, "old@example.com")
    with pytest.raises(InvalidToken, match="no longer subscribed"):
        unsubscribe(db, tokens, stale, NOW)
    remove(db, "a@example.com")
    with pytest.raises(InvalidToken):
        unsubscribe(db, tokens, tokens.make("unsubscribe", reader.id, reader.email), NOW)


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "readers.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_import_reports_bad_rows_by_line_and_imports_the_rest(db, tmp_path):
    path = write(tmp_path, "email,name,sections\n"
                           "wang@example.com,王芳,education economy\n"
                           "not-an-address,坏,\n"
                           "li@example.com,李雷,\n"
                           "zhao@example.com,赵,sport\n")
    report = import_csv(db, path, KNOWN, NOW)
    assert (report.added, report.updated) == (2, 0)
    assert [(p.path, p.line) for p in report.skipped] == [(str(path), 3), (str(path), 5)]
    assert report.skipped == report.problems
    assert "is not an email address" in report.problems[0].message
    assert "no section 'sport'" in report.problems[1].message
    assert str(report.problems[1]).startswith(f"{path}:5: no section 'sport'")
    people = {p.email: p for p in all_subscribers(db)}
    assert people["wang@example.com"].sections == ("education", "economy")
    assert people["li@example.com"].sections is None and people["li@example.com"].name == "李雷"


def test_import_reads_utf8_with_bom_as_excel_writes_it(db, tmp_path):
    path = write(tmp_path, "\ufeffemail,name,sections\r\nwang@example.com,王芳,教育\r\n")
    report = import_csv(db, path, KNOWN, NOW)
    assert report.added == 1 and report.problems == []
    assert get(db, "wang@example.com").sections == ("education",)


def test_import_reads_gb18030(db, tmp_path):
    path = write(tmp_path, "wang@example.com,王芳,教育、经济\n", encoding="gb18030")
    report = import_csv(db, path, KNOWN, NOW)
    assert report.encoding == "gb18030" and report.added == 1
    reader = get(db, "wang@example.com")
    assert reader.name == "王芳" and reader.sections == ("education", "economy")


def test_duplicates_in_a_file_are_merged_with_both_rows_sections(db, tmp_path):
    path = write(tmp_path, "wang@example.com,王芳,education\n"
                           "\n"
                           "WANG@example.com,,culture\n")
    report = import_csv(db, path, KNOWN, NOW)
    assert report.added == 1
    assert [str(p) for p in report.problems] == [
        f"{path}:3: WANG@example.com is also on line 1; merged into one subscriber"]
    assert report.skipped == []
    assert get(db, "wang@example.com").sections == ("education", "culture")


def test_a_header_row_repeated_below_a_duplicate_is_reported_as_skipped(db, tmp_path):
    path = write(tmp_path, "email,name,sections\n"
                           "wang@example.com,王芳,education\n"
                           "wang@example.com,,culture\n"
                           "email,name,sections\n"
                           "li@example.com,李雷,\n")
    report = import_csv(db, path, KNOWN, NOW)
    assert report.added == 2
    assert [(p.line, p.skipped) for p in report.problems] == [(3, False), (4, True)]
    assert str(report.skipped[0]) == f"{path}:4: a header row below the first row; row skipped"


def test_import_updates_subscribers_but_never_resubscribes_one_who_left(db, tmp_path):
    kept, _ = add(db, "gone@example.com", NOW)
    tokens = Tokens("k")
    unsubscribe(db, tokens, tokens.make("unsubscribe", kept.id, kept.email), NOW)
    add(db, "stay@example.com", NOW, sections=("culture",))
    path = write(tmp_path, "gone@example.com,,\nstay@example.com,留,education\n")
    report = import_csv(db, path, KNOWN, NOW)
    assert (report.updated, report.kept_unsubscribed) == (1, 1)
    assert get(db, "gone@example.com").status == "unsubscribed"
    assert get(db, "stay@example.com").sections == ("education",)


def test_a_file_in_neither_encoding_is_refused(db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xff\xfe\x00\xd8" * 4)
    with pytest.raises(SubscriberError, match="neither UTF-8 nor GB18030"):
        import_csv(db, path, KNOWN, NOW)
