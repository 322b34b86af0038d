"""Brand voice rules: Vale-style rule files under brand/voice/, built-in social rules in
brand/voice.yml, CJK-aware matching, and substitution fixes.

    voice, problems = Voice.build(root, voice_yml, calendar)  # smm.workspace.settings.load_settings(root, voice=True) calls it
    diagnostics = voice.check_post(post, rendered)      # per post (forked workers too)
    diagnostics += voice.check_calendar(posts)          # promotional share over time
    changed_files = apply_fixes(root, posts, voice)     # `smm check --fix`
"""

from smm.voice.engine import Voice
from smm.voice.fix import Fix, apply_fixes, fix_posts
from smm.voice.rules import KINDS, RULES_DIR
from smm.voice.social import BUILTIN_IDS
from smm.workspace.settings import VOICE_FILE

__all__ = ["Voice", "apply_fixes", "fix_posts", "Fix", "KINDS", "RULES_DIR", "VOICE_FILE", "BUILTIN_IDS"]
