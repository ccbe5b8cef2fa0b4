"""Domain errors that adapters turn into clear replies (exit status 2 on the CLI)."""
from __future__ import annotations


class InputError(Exception):
    """Bad input from a user or a file: shown to the user, never as a traceback.

    ``zh`` is the Chinese sentence for the user, ``en`` the English one for logs and the
    CLI's stderr line. ``choices`` carries candidates when the input fits several things.
    """

    def __init__(self, zh: str, en: str, *, choices: list[str] | None = None) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en
        self.choices = choices or []

    def one_line(self) -> str:
        """The message as a single ``中文 / English`` line."""
        return f"{self.zh} / {self.en}".replace("\n", " ")


class RulesError(InputError):
    """A rules, facts or knowledge file is broken: names file, rule and field."""
