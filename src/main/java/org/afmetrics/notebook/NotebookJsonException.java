package org.afmetrics.notebook;

/** A JSON source that cannot be used as a whole, and why. */
public final class NotebookJsonException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    public NotebookJsonException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
