"""`smm publish` and `smm resolve`: which jobs are due, running them through the adapters exactly
once (claim, call, record), and the scheduled job's pipeline."""
