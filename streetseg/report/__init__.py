"""Pictures and pages for people: matplotlib charts (charts) and the plots stage's curves,  gallery
and tables (plots).
"""
