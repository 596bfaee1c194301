import pytest

from feeds.database import connect
from feeds.tokens import SECRET_ENV, InvalidToken, TokenExpired, TokenInvalid, Tokens, secret_key


def test_unsubscribe_token_names_its_subscriber_without_showing_the_address():
    tokens = Tokens("k")
    token = tokens.make("unsubscribe", 7, "Reader@Example.com")
    holder = tokens.read("unsubscribe", token)
    assert holder.subscriber_id == 7 and holder.matches("reader@example.com")
    assert not holder.matches("other@example.com")
    assert "example" not in token.lower()


def test_tokens_are_stable_so_each_message_is_the_same_every_time():
    assert Tokens("k").make("unsubscribe", 7, "a@example.com") == \
        Tokens("k").make("unsubscribe", 7, "a@example.com")


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature altered
    lambda t: "WzgsIjAwMDAwMDAwMDAwMCJd" + t[t.index("."):],  # payload swapped
    lambda t: t.split(".")[0],  # signature removed
    lambda t: "nonsense",
])
def test_a_forged_or_altered_token_is_refused(tamper):
    tokens = Tokens("k")
    token = tokens.make("unsubscribe", 7, "a@example.com")
    with pytest.raises(TokenInvalid):
        tokens.read("unsubscribe", tamper(token))


def test_a_token_is_bound_to_its_purpose_and_its_key():
    token = Tokens("k").make("preferences", 7, "a@example.com")
    with pytest.raises(TokenInvalid, match="not a valid unsubscribe token"):
        Tokens("k").read("unsubscribe", token)
    with pytest.raises(TokenInvalid):
        Tokens("other key").read("preferences", token)


def test_confirm_tokens_expire_after_a_week():
    made = Tokens("k", clock=lambda: 1_700_000_000.0).make("confirm", 1, "a@example.com")
    day = 24 * 3600
    assert Tokens("k", clock=lambda: 1_700_000_000.0 + 6 * day).read("confirm", made)
    with pytest.raises(TokenExpired, match="expired"):
        Tokens("k", clock=lambda: 1_700_000_000.0 + 8 * day).read("confirm", made)


def test_an_expired_token_and_a_forged_one_are_both_invalid_tokens():
    assert issubclass(TokenExpired, InvalidToken) and issubclass(TokenInvalid, InvalidToken)
    assert not issubclass(TokenInvalid, TokenExpired)


def test_the_secret_comes_from_the_environment_first(tmp_path):
    db = connect(tmp_path / "feeds.sqlite")
    assert secret_key(db, {SECRET_ENV: "from-env"}) == "from-env"
    assert not db.execute("SELECT * FROM keys").fetchall()


def test_without_the_variable_a_key_is_made_once_and_kept_with_the_subscribers(tmp_path):
    first = secret_key(connect(tmp_path / "state" / "feeds.sqlite"), {})
    again = secret_key(connect(tmp_path / "state" / "feeds.sqlite"), {})
    assert len(first) >= 40 and again == first
    assert sorted(p.name for p in (tmp_path / "state").iterdir()
                  if not p.name.endswith(("-wal", "-shm"))) == ["feeds.sqlite"]


def test_a_key_file_of_an_earlier_version_is_adopted_so_old_links_still_work(tmp_path):
    (tmp_path / "secret.key").write_text("an-older-key-made-by-feeds-0.1\n")
    assert secret_key(connect(tmp_path / "feeds.sqlite"), {}) == "an-older-key-made-by-feeds-0.1"
