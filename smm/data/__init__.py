"""What the bot writes under data/: publish records, the run lock, committing and pushing with
retries, and merging data/ files when a push loses a race."""
