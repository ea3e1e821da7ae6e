package org.afmetrics.notebook;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the entries {@link NotebookJson} reads into series, whatever form they came in: the
 * family's name (prefix, counter suffix, unit), the value, the labels (sanitised, the agent's own
 * names refused, names shared between series), the family a series joins (type and unit must
 * agree) and the limits (one series per {@link SeriesKey}, json-max-series, the heap). An entry
 * refused here is counted by reason and told by its place in the document, never by its text;
 * the rest of the document is used.
 */
final class SeriesBuilder {
    private static final int MAX_MESSAGES = 20;
    private static final int MAX_SHARED_LABEL_NAMES = 1024;

    /** What one typed entry or list item says; the reader fills it, unknown keys are not read. */
    static final class Entry {
        /** Where it starts in the document: all its error texts say of it (never its name or values). */
        String at;
        String name;
        String type;
        String help;
        String unit;
        String unitProblem;
        /** Label names and values in document order: name, value, name, value… */
        List<String> labels;
        String labelsProblem;
        /** Null when the entry has no value at all. */
        Value value;
    }

    /** A value as read, or what it was when it is none (its kind, never its text). */
    static final class Value {
        final Double number;
        final String description;

        Value(Double number, String description) {
            this.number = number;
            this.description = description;
        }
    }

    private final String prefix;
    private final Set<String> reservedLabels;
    private final int maxSeries;
    private final String source;

    private final Map<String, FamilyBuilder> families = new LinkedHashMap<>();
    private final Map<String, Integer> errors = new TreeMap<>();
    private final List<String> messages = new ArrayList<>();
    /** One string per label name, shared by the series that carry it (the common names only). */
    private final Map<String, String> labelNames = new HashMap<>();
    private int series;
    private int skipped;

    SeriesBuilder(String prefix, Set<String> reservedLabels, int maxSeries, String source) {
        this.prefix = prefix;
        this.reservedLabels = reservedLabels;
        this.maxSeries = maxSeries;
        this.source = source;
    }

    /** Series made so far. */
    int series() {
        return series;
    }

    /** A field that held no number (a string, null, a list that is no list family). */
    void skipped() {
        skipped++;
    }

    /** Forgets everything made so far: the typed form, once found, is the whole document. */
    void reset() {
        families.clear();
        errors.clear();
        messages.clear();
        series = 0;
        skipped = 0;
    }

    /** A typed entry: it names itself and its type (a gauge when none is given). */
    void typed(Entry e) throws NotebookJsonException {
        if (e.name == null) {
            reject(Reason.INVALID_NAME, e.at, "the entry has no name");
            return;
        }
        Collector.Type type = typeOf(e.type == null ? "gauge" : e.type);
        if (type == null) {
            reject(Reason.UNSUPPORTED_TYPE, e.at, "its type is not one of gauge, counter, untyped");
            return;
        }
        add(e.name, type, e);
    }

    /** A plain field or a list item: a gauge named by its path in the document. */
    void gauge(String rawName, Entry e) throws NotebookJsonException {
        add(rawName, Collector.Type.GAUGE, e);
    }

    /** A name that, prefixed, would be too long refuses the document (names grow as objects nest). */
    void checkNameLength(String rawName, String at) throws NotebookJsonException {
        if (prefix.length() + rawName.length() > JsonReader.MAX_NAME_CHARS) {
            throw JsonReader.tooLong("a metric name is longer than " + JsonReader.MAX_NAME_CHARS + " characters, " + at);
        }
    }

    /**
     * Items held before they become series (a list family's, until it is known to be one) count
     * against json-max-series, and against the heap, as series do.
     */
    void held(int items) throws NotebookJsonException {
        if (series + items > maxSeries) {
            throw tooManySeries();
        }
        if (items % HeapGuard.EVERY == 0) {
            HeapGuard.check();
        }
    }

    private void add(String rawName, Collector.Type type, Entry e) throws NotebookJsonException {
        if (rawName.isEmpty()) {
            reject(Reason.INVALID_NAME, e.at, "the metric name is empty");
            return;
        }
        checkNameLength(rawName, e.at);
        String unit = unit(e);
        Double value = unit == null ? null : value(type, e);
        Map<String, String> own = value == null ? null : labels(e);
        FamilyBuilder family = own == null ? null : family(rawName, type, unit, e);
        if (family != null) {
            sample(family, new Sample(family.sampleName, new ArrayList<>(own.keySet()), new ArrayList<>(own.values()),
                    value), e.at);
        }
    }

    /** The entry's unit, "" for none; null when it is refused. */
    private String unit(Entry e) {
        if (e.unitProblem != null) {
            reject(Reason.INVALID_UNIT, e.at, e.unitProblem);
            return null;
        }
        if (e.unit == null || e.unit.isEmpty()) {
            return "";
        }
        for (int i = 0; i < e.unit.length(); i++) {
            char c = e.unit.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                reject(Reason.INVALID_UNIT, e.at, "its unit is not made of letters, digits and _");
                return null;
            }
        }
        return e.unit;
    }

    /** The entry's value; null when it has none or a counter's is negative or NaN. */
    private Double value(Collector.Type type, Entry e) {
        Double value = e.value == null ? null : e.value.number;
        if (value == null) {
            reject(Reason.INVALID_VALUE, e.at, e.value == null ? "it has no value"
                    : "its value is not a number (found " + e.value.description + ")");
            return null;
        }
        if (type == Collector.Type.COUNTER && (value < 0 || value.isNaN())) {
            reject(Reason.INVALID_VALUE, e.at, "a counter's value cannot be negative or NaN");
            return null;
        }
        return value;
    }

    /**
     * The entry's labels by sanitised name, in name order; null when one is refused. A name
     * many series carry is one string for all of them.
     */
    private Map<String, String> labels(Entry e) {
        if (e.labelsProblem != null) {
            reject(Reason.INVALID_LABELS, e.at, e.labelsProblem);
            return null;
        }
        Map<String, String> own = new TreeMap<>();
        if (e.labels == null) {
            return own;
        }
        for (int i = 0; i < e.labels.size(); i += 2) {
            String raw = e.labels.get(i);
            if (raw.equals("__name__")) {
                continue;
            }
            String ln = MetricNames.labelName(raw);
            if (ln.isEmpty() || ln.startsWith("__")) {
                reject(Reason.INVALID_LABEL, e.at, "a label name is reserved (starts with __) or empty");
                return null;
            }
            if (reservedLabels.contains(ln)) {
                // ln is one of the agent's own label names, not the document's text
                reject(Reason.LABEL_CLASH, e.at, "label '" + ln + "' is set by the agent (identity labels win)");
                return null;
            }
            String shared = labelNames.get(ln);
            if (shared != null) {
                ln = shared;
            } else if (labelNames.size() < MAX_SHARED_LABEL_NAMES) {
                labelNames.put(ln, ln);
            }
            if (own.put(ln, e.labels.get(i + 1)) != null) {
                reject(Reason.INVALID_LABEL, e.at, "two of its label names are the same after sanitising");
                return null;
            }
        }
        return own;
    }

    /**
     * The family the entry joins, made by the first entry of its name (whose help it keeps); null
     * when an earlier entry made it of another type or unit.
     */
    private FamilyBuilder family(String rawName, Collector.Type type, String unit, Entry e) {
        String name = familyName(rawName, type, unit);
        FamilyBuilder family = families.get(name);
        if (family == null) {
            family = new FamilyBuilder(name, unit, type,
                    e.help != null ? e.help : "Notebook metric '" + rawName + "' from " + source);
            families.put(name, family);
        } else if (family.type != type) {
            reject(Reason.TYPE_CONFLICT, e.at, "its family is already a " + family.type.name().toLowerCase(Locale.ROOT)
                    + " (an earlier entry)");
            return null;
        } else if (!unit.isEmpty() && !unit.equals(family.unit)) {
            reject(Reason.TYPE_CONFLICT, e.at, "its family already has " + (family.unit.isEmpty() ? "no unit" : "another unit")
                    + " (an earlier entry)");
            return null;
        }
        return family;
    }

    /** Prefixed and made valid; a counter's without {@code _total}, with the unit as its last part. */
    private String familyName(String rawName, Collector.Type type, String unit) {
        String name = MetricNames.metricName(prefix + rawName);
        if (type == Collector.Type.COUNTER && name.endsWith("_total")) {
            name = name.substring(0, name.length() - "_total".length());
        }
        if (!unit.isEmpty() && !name.endsWith("_" + unit)) {
            name = name + "_" + unit;
        }
        return name;
    }

    /** The sample, unless its series came earlier; past json-max-series the document is refused. */
    private void sample(FamilyBuilder family, Sample sample, String at) throws NotebookJsonException {
        if (!family.seriesKeys.add(SeriesKey.of(sample))) {
            reject(Reason.DUPLICATE_SERIES, at, "the same series (name and labels) came earlier; the first is kept");
            return;
        }
        if (++series > maxSeries) {
            throw tooManySeries();
        }
        if (series % HeapGuard.EVERY == 0) {
            HeapGuard.check();
        }
        family.samples.add(sample);
    }

    private static Collector.Type typeOf(String t) {
        switch (t.toLowerCase(Locale.ROOT)) {
            case "gauge":
                return Collector.Type.GAUGE;
            case "counter":
                return Collector.Type.COUNTER;
            case "untyped":
            case "unknown":
                return Collector.Type.UNKNOWN;
            default:
                return null;
        }
    }

    private NotebookJsonException tooManySeries() {
        return new NotebookJsonException(Reason.TOO_MANY_SERIES,
                "more than " + maxSeries + " series (json-max-series); nothing from this document is used");
    }

    static NotebookJsonException nothingUsable(String why) {
        return new NotebookJsonException(Reason.NOTHING_USABLE, why + "; nothing from this document is used");
    }

    /** A sample refused; its text says where the entry is and why, never a name or value of it. */
    private void reject(Reason reason, String at, String message) {
        errors.merge(reason.label(), 1, Integer::sum);
        if (messages.size() < MAX_MESSAGES) {
            messages.add("the entry " + at + ": " + message);
        }
    }

    /**
     * A document that had fields or entries but gave not one series is refused as a whole (the
     * last good values stay), so a document written by mistake does not silently empty the
     * metrics. One with nothing in it at all ({@code {}}, {@code {"metrics": []}}) is taken: it
     * says there is nothing to report now.
     */
    Conversion build() throws NotebookJsonException {
        if (series == 0 && (skipped > 0 || !errors.isEmpty())) {
            String first = messages.isEmpty() ? "" : " (first problem: " + messages.get(0) + ")";
            throw nothingUsable(errors.isEmpty() ? "every field held no number (" + skipped + " skipped)"
                    : "every metric was rejected: " + errors + first);
        }
        List<MetricFamilySamples> out = new ArrayList<>(families.size());
        for (FamilyBuilder f : families.values()) {
            if (!f.samples.isEmpty()) {
                out.add(new MetricFamilySamples(f.name, f.unit, f.type, f.help, Collections.unmodifiableList(f.samples)));
            }
        }
        return new Conversion(out, series, skipped, errors, messages);
    }

    private static final class FamilyBuilder {
        final String name;
        /** Every sample's name: one string for the family's series. */
        final String sampleName;
        final String unit;
        final Collector.Type type;
        final String help;
        final List<Sample> samples = new ArrayList<>();
        final Set<SeriesKey> seriesKeys = new HashSet<>();

        FamilyBuilder(String name, String unit, Collector.Type type, String help) {
            this.name = name;
            this.sampleName = type == Collector.Type.COUNTER ? name + "_total" : name;
            this.unit = unit;
            this.type = type;
            this.help = help;
        }
    }
}
