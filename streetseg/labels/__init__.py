"""From labelling-tool exports to class-id masks: the annotation formats (formats/, annotations),
the class table (classes), label-name resolution (resolver), polygon filling (rasterize) and the
masks stage (masks).
"""
