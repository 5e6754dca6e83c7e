"""Workshop rooms: an instructor's room that learners join by a short code, and the board of their runs."""
