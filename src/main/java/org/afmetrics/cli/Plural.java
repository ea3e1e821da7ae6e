package org.afmetrics.cli;

/** A count with its noun in the right number: "1 file", "2 files", "0 files". */
final class Plural {
    private Plural() {
    }

    static String of(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }
}
