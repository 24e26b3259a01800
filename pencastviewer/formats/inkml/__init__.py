"""W3C InkML ink (.inkml): traces, their reader, the notebook they make and the audio beside them."""
