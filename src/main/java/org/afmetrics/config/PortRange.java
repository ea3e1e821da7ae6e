package org.afmetrics.config;

/** The ports the exporter may bind to, tried in order; {@code 0} lets the system choose. */
public final class PortRange {
    private final int first;
    private final int last;

    private PortRange(int first, int last) {
        this.first = first;
        this.last = last;
    }

    public static PortRange parse(String text) {
        String t = text.trim();
        int dash = t.indexOf('-');
        if (dash < 0) {
            int p = parsePort(t);
            return new PortRange(p, p);
        }
        int a = parsePort(t.substring(0, dash).trim());
        int b = parsePort(t.substring(dash + 1).trim());
        if (a == 0 || b == 0 || b < a) {
            throw new IllegalArgumentException("'" + text + "' is not a range A-B with 1 <= A <= B <= 65535");
        }
        return new PortRange(a, b);
    }

    private static int parsePort(String t) {
        int p;
        try {
            p = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + t + "' is not a port number");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException(p + " is outside 0-65535");
        }
        return p;
    }

    public int first() {
        return first;
    }

    public int last() {
        return last;
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
