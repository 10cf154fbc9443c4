"""AI-share estimation: the tool table as data, per-line attribution, and the evidence behind it."""
