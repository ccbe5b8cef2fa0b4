"""Channel adapters: each turns its channel's input into one call of bot.core.conversation."""
