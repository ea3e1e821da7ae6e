package org.afmetrics.notebook;

/** Turns the names a notebook writes into valid Prometheus metric and label names. */
public final class MetricNames {
    private MetricNames() {
    }

    /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*}: every other character becomes {@code _}. */
    public static String metricName(String raw) {
        return sanitize(raw, true);
    }

    /** {@code [a-zA-Z_][a-zA-Z0-9_]*}: every other character becomes {@code _}. */
    public static String labelName(String raw) {
        return sanitize(raw, false);
    }

    private static String sanitize(String raw, boolean colonAllowed) {
        if (isValid(raw, colonAllowed)) {
            return raw;
        }
        StringBuilder sb = new StringBuilder(raw.length() + 1);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
                    || (c >= '0' && c <= '9' && i > 0) || (colonAllowed && c == ':');
            if (!ok && c >= '0' && c <= '9') {
                sb.append('_').append(c);
            } else {
                sb.append(ok ? c : '_');
            }
        }
        return sb.toString();
    }

    private static boolean isValid(String raw, boolean colonAllowed) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
                    || (c >= '0' && c <= '9' && i > 0) || (colonAllowed && c == ':');
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
