"""Mail is a layer below its users: the digest and the web sign-up use feeds.mail, and
feeds.mail knows neither, so either can change without the other. The web answers
readers and never reaches into the digest."""

from test_output_layers import PACKAGE, imported


def modules_under(folder: str) -> dict[str, set[str]]:
    return {str(path.relative_to(PACKAGE)): imported(path)
            for path in (PACKAGE / folder).rglob("*.py")}


def test_the_mail_layer_imports_neither_the_digest_nor_the_web():
    for name, modules in modules_under("mail").items():
        assert not {m for m in modules if m.startswith(("feeds.digest", "feeds.web"))}, name


def test_the_web_does_not_import_the_digest():
    for name, modules in modules_under("web").items():
        assert not {m for m in modules if m.startswith("feeds.digest")}, name
