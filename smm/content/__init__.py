"""Posts and what they are made of: the post file (front matter + Markdown), its tokens (URLs,
hashtags, mentions), links and UTM tagging, media files, and `smm new`."""
