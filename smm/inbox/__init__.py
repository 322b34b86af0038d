"""The inbox: what people say back to the brand (mentions, replies, comments, messages)."""
