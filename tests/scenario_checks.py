"""The expectations of one scenario step, shared by the core, terminal and Telegram runners."""
from __future__ import annotations


def check(step: dict, texts: str, labels: list[str], where: str, files: int | None = None) -> None:
    """``expect`` / ``expect_not`` (substrings of the replies), ``expect_buttons`` /
    ``expect_no_buttons`` (substrings of button labels) and ``expect_files`` (documents sent)."""
    for wanted in step.get("expect", []):
        assert wanted in texts, f"{where}: expected {wanted!r} in:\n{texts}"
    for unwanted in step.get("expect_not", []):
        assert unwanted not in texts, f"{where}: did not expect {unwanted!r} in:\n{texts}"
    for label in step.get("expect_buttons", []):
        assert any(label in shown for shown in labels), f"{where}: no button {label!r} in {labels}"
    for label in step.get("expect_no_buttons", []):
        assert not any(label in shown for shown in labels), f"{where}: button {label!r} in {labels}"
    if "expect_files" in step:
        assert files == step["expect_files"], f"{where}: {files} files sent"


def telegram_buttons(sent: list[dict]) -> list[dict]:
    """Every inline button under the given sent messages (Bot API parameters)."""
    return [button for params in sent
            for row in (params.get("reply_markup") or {}).get("inline_keyboard", []) for button in row]
