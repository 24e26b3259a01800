"""Livescribe notebooks: Pencast PDFs (pdf, inkml) and Desktop archives (archive, stf, paper_replay)."""
