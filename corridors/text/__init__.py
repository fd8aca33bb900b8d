"""Reading texts: corridor, place, country and organisation mentions, maps and drafts.

Sits above outputs (it draws its own maps); only the CLI imports it.
"""
