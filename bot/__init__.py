"""filmbot core: feeds in, understanding, knowledge base, delivery, commands."""

__version__ = "0.1.0"
