"""The film knowledge base: films, aliases, release facts with history, title resolution."""
