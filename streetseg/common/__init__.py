"""Helpers every stage uses, at the bottom of the import order: atomic file writes and console
logging (files, console), reading photos (images), the problem table (problems), chunk naming
(chunks) and S3 access (s3).
"""
