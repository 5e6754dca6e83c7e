"""Lessons: their texts and quizzes, the numbers behind each (convolutions, gradient descent, backprop) and each
visitor's progress."""
