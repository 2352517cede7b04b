"""The Inside page's session keys, which Evaluate sets to open one of its images there."""

SOURCE, INDEX = "inside_source", "inside_index"
SOURCES = ("Draw here", "Last digit from Draw", "A test image")
MAP_SIZES = (2000, 5000, 10000)
