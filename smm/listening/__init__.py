"""`smm listen`: brand/listening.yml (config), matching a post's text (matching), data/mentions/
(mentions), one run over the networks' search (listen) and how it is shown (results)."""
