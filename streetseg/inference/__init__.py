"""Running a trained model: the segmenter (segmenter), the predict stage on the test split
(predict), the infer stage on new photos (infer), exports (export) and overlay pictures
(overlays).
"""
