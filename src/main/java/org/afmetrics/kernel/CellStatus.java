package org.afmetrics.kernel;

/**
 * How a cell ended: the {@code status} label of the cell metrics. A cell's counters are kept in
 * arrays indexed by {@link #ordinal()}, so a cell's end picks them without a look-up.
 */
enum CellStatus {
    OK("ok"),
    ERROR("error"),
    INTERRUPTED("interrupted");

    /** The label value, as dashboards and rules select it. */
    final String label;

    CellStatus(String label) {
        this.label = label;
    }
}
