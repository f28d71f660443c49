"""The hearing's rules in plain Python: no web framework, no database.

Everything here can be read, tested and reasoned about without Flask or SQLAlchemy;
the services load state from the store, call these rules and save what they decide.
"""
