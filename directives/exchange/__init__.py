"""Exchange of letters with other systems: edXML (QCVN 102:2016/BTTTT) messages and their
transports. Builds, signs, parses and checks messages; knows no model and writes nothing: the
services (`directives/services/exchange.py`) decide what goes out and what enters a book."""
