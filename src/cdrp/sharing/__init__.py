"""Restricted information (issue 19): information sharing agreements, the prescribed-information
tracker, offender cohorts (PPO/IOM) and their re-offending, case lists (MARAC, MATAC, ASB case
review), audited reads, encryption at rest, retention, subject access and the record of
processing.

Modules: `crypto` (encrypted fields, key rotation), `models`, `agreements` (the register and the
check other apps call), `cohorts` (the restricted registers, read auditing, re-offending fed to
the performance indicator), `retention`, `subject_access`, `prescribed`, `processing`.
"""
