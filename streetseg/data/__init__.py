"""Samples to training data: the sample listing (samples), photo sources for inference (sources),
the dataset check's label statistics (statistics), splits (splits), TFRecord shards (shards) and
the tf.data input pipeline (pipeline).
"""
