"""A review in the app: the meeting and presenter mode, each part a module of its own.

``meeting`` holds the agenda's list and the part shown beside it; ``kpi_item`` shows one KPI
(with ``chart``), ``agenda`` the follow-up, the other decisions and the warnings;
``record_panel`` the decisions and actions recorded about an entry, edited through
``editors``; ``presenter`` is presenter mode; ``common`` what they share.
"""
