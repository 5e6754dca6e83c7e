"""What each page draws, page by page; `predict/` holds the Predict page's views."""
