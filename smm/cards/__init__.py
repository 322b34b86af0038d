"""Social cards: templates (brand/cards/*.yml) and a post's `card:` media entries drawn as PNG
pictures: line breaking (linebreak), fonts (fonts), fitting and drawing (draw), templates and
the pictures made from them (templates)."""
