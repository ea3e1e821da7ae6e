package org.afmetrics.notebook;

/** A JSON source that cannot be used as a whole; {@link #reason()} is the metric label. */
public final class NotebookJsonException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public NotebookJsonException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
