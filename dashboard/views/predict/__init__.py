"""The Predict page's views: which ones a dataset gets (`menu`), and each of them."""
