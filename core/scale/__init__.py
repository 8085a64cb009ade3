"""Running the engine over large corpora: streamed reading, chunked and resumable projection, the Ray engine."""
