"""Xournal++ notebooks (.xopp, .xoj): the reader, its page elements, backgrounds, images and audio."""
