"""Audio bytes without playing them, no Qt: probe, block decode, encode and waveform peaks.

Below formats and audio (both use it) and above the model; see the README's Layout."""
