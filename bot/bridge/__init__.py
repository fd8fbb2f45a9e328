"""Parts of the Telegram bridge (``bot/telegram_bridge.py``).

Not called ``bot/telegram``: run as a script from ``bot/``, that name would
shadow the ``telegram`` library itself.
"""
