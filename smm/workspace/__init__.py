"""The content repository as smm reads it: safe file reading, positioned YAML, schemas, the settings
files (platforms.yml, brand/, calendar), the parse cache, and `Repo`, the whole workspace loaded once."""
