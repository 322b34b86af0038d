"""`smm check`: every problem in a repository found at once, as positioned diagnostics
(run: the pipeline; diagnostics: what was found and how it prints; integrity: ids and records)."""
