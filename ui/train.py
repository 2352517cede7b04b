"""The Train page's session keys, which the lesson sets to open Train ready for one of its steps."""

PRESET = "train_preset"  # the Preset box
SAMPLES = "train_samples"  # the Training samples box
