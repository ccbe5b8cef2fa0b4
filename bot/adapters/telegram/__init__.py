"""The Telegram channel (python-telegram-bot): app wiring (``app``), the one update handler
(``chat``), sending (``send``), delivery in order (``inbox``, ``delivery``, ``run``), the
broadcast transport (``transport``, ``broadcast``, ``fairs``) and reminders. Nothing here holds
SQL or domain logic: every input goes to :class:`bot.flows.ChatApp`.
"""
