"""The Inside page's session keys, which Evaluate, Draw and the lesson set to open a digit there."""

SOURCE, INDEX = "inside_source", "inside_index"
LAST_DIGIT = "last_digit"  # the 28x28 image of the last digit read on Draw
SOURCES = ("Draw here", "Last digit from Draw", "A test image")
MAP_SIZES = (2000, 5000, 10000)
