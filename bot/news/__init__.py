"""Understanding film news: pure functions from a FeedItem to an Understanding."""
