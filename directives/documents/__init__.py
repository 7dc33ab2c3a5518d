"""The letter as a document: HTML, PDF, signatures and their verification.

No request and no model writes here; the services call these.
"""
