"""Scores from predicted and true masks: the confusion matrix and IoU (metrics) and the evaluate
stage (evaluate).
"""
