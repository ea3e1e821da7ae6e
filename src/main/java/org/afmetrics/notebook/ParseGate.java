package org.afmetrics.notebook;

/**
 * Lets one JSON document be converted at a time in the whole agent, pushed or read from a file,
 * so that the heap the agent takes for notebook JSON is that of one document however many
 * arrive at once. A document waits its turn only briefly; a push that cannot get it is told to
 * come back later rather than held.
 */
public final class ParseGate {
    /** How long a push waits for the document before it: a maximal push converts in well under this. */
    static final long PUSH_WAIT_MS = 1000;
    /** A file is read at a scrape, which waits longer rather than show a gap. */
    static final long FILE_WAIT_MS = 5000;

    private final Turn turn = new Turn();

    /** Runs {@code conversion} when it is this document's turn; {@link Reason#BUSY} when none came in time. */
    Conversion convert(long waitMs, Conversion.Source conversion) throws NotebookJsonException {
        if (!turn.tryEnter(waitMs)) {
            throw new NotebookJsonException(Reason.BUSY, "another JSON document was being read for "
                    + waitMs + " ms; try again later");
        }
        try {
            return conversion.convert();
        } finally {
            turn.leave();
        }
    }
}
