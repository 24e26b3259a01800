"""Exporting clips: the audio of a passage, a video of the ink being written, a web page
that plays it, an image of the page, a .pencast of its own. One code path for the
Export dialog and `pencastviewer export`."""
