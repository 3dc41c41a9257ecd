"""The demo stage: synthetic street scenes with VOC XML annotations (scenes, drawn by layout,
materials and paint).
"""
