package org.afmetrics.notebook;

/**
 * Why a notebook JSON source, a push or one of its samples was not used. Its {@link #label()} is
 * the {@code reason} label of {@code afmetrics_json_errors_total}, the key of
 * {@link Conversion#sampleErrors()} and the {@code reason} of a push's answer: dashboards and
 * alert rules select it, so a label never changes. {@link #toString()} is the label too, so a
 * reason reads the same wherever it is printed.
 */
public enum Reason {
    // a whole document (a file's version or a push) refused
    EMPTY("empty"),
    UNSUPPORTED("unsupported"),
    MALFORMED("malformed"),
    TRUNCATED("truncated"),
    TOO_DEEP("too_deep"),
    TOO_LONG("too_long"),
    TOO_LARGE("too_large"),
    TOO_MANY_SERIES("too_many_series"),
    TOO_MANY_LABELS("too_many_labels"),
    NOTHING_USABLE("nothing_usable"),
    /** The heap ran short while the document was read: the agent's trouble, not the document's. */
    OUT_OF_MEMORY("out_of_memory"),
    /** Another document was being read: try again soon. */
    BUSY("busy"),
    // a file
    MISSING("missing"),
    UNREADABLE("unreadable"),
    // a push refused before its body is read
    FORBIDDEN("forbidden"),
    BAD_CONTENT_TYPE("bad_content_type"),
    // one sample of a document that is otherwise used
    INVALID_NAME("invalid_name"),
    UNSUPPORTED_TYPE("unsupported_type"),
    INVALID_UNIT("invalid_unit"),
    INVALID_VALUE("invalid_value"),
    INVALID_LABELS("invalid_labels"),
    INVALID_LABEL("invalid_label"),
    LABEL_CLASH("label_clash"),
    TYPE_CONFLICT("type_conflict"),
    DUPLICATE_SERIES("duplicate_series"),
    COUNTER_DECREASED("counter_decreased");

    private final String label;

    Reason(String label) {
        this.label = label;
    }

    /** The text a reason is exported and answered as. */
    public String label() {
        return label;
    }

    /**
     * The HTTP status of a push refused for this reason: 400 (the body's fault) unless the reason
     * says otherwise (403, 413, 415, or 429 and 503 for the agent's own trouble).
     */
    public int pushStatus() {
        switch (this) {
            case FORBIDDEN:
                return 403;
            case TOO_LARGE:
                return 413;
            case BAD_CONTENT_TYPE:
                return 415;
            case BUSY:
                return 429;
            case OUT_OF_MEMORY:
                return 503;
            default:
                return 400;
        }
    }

    /**
     * Whether a push refused for this reason may be sent again as it is, a moment later
     * ({@code Retry-After}): the agent was busy or short of heap, nothing was wrong with the push.
     */
    public boolean pushMayRetry() {
        return this == BUSY || this == OUT_OF_MEMORY;
    }

    @Override
    public String toString() {
        return label;
    }
}
