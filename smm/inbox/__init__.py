"""`smm inbox`: what people say to the brand — mentions, replies, comments, quotes and direct
messages — collected from every network that lets smm read them into data/inbox/, triaged
(sentiment, intent, priority, a due time from brand/replies.yml) and shown as one queue."""
