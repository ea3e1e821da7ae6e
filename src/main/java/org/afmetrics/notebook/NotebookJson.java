package org.afmetrics.notebook;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.io.IOException;
import java.io.InputStream;
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
 * Converts a notebook's JSON document into metric families. Three forms are recognised:
 * <ul>
 *   <li>typed: {@code {"metrics":[{"name":…,"type":…,"unit":…,"help":…,"labels":{…},"value":…}]}}
 *       (or the list alone);</li>
 *   <li>plain: an object of numbers, nested objects joined with {@code _} (Coffea's
 *       {@code savemetrics} output); fields holding no number are skipped and counted;</li>
 *   <li>list: {@code {"family":[{"metric":{labels},"value":v}]}} (a Prometheus API vector).</li>
 * </ul>
 * The plain and list forms mix freely in one object. Samples carry the document's own labels
 * only; the exporter adds the identity labels, whose names are therefore reserved here.
 * <p>
 * The document is read as a stream of tokens and converted as it goes: what is kept is the
 * metrics themselves, never a tree of the document, and reading stops the moment a limit is
 * passed (json-max-series, nesting, the length of a name or string, labels per series).
 */
public final class NotebookJson {
    /** Labels one series may carry in the document (the identity labels come on top). */
    static final int MAX_LABELS = 32;
    /** The typed form's key; at the top level it means that form and no other. */
    static final String TYPED_KEY = "metrics";
    private static final int MAX_MESSAGES = 20;
    private static final int MAX_SHARED_LABEL_NAMES = 1024;

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

    private NotebookJson(String prefix, Set<String> reservedLabels, int maxSeries, String source) {
        this.prefix = prefix;
        this.reservedLabels = reservedLabels;
        this.maxSeries = maxSeries;
        this.source = source;
    }

    /** Parses and converts; a document that cannot be used at all throws. */
    public static Conversion convert(byte[] json, int length, String prefix, Set<String> reservedLabels,
                                     int maxSeries, String source) throws NotebookJsonException {
        try {
            return JsonReader.read(json, length, new NotebookJson(prefix, reservedLabels, maxSeries, source)::document);
        } catch (OutOfMemoryError e) {
            throw outOfMemory();
        }
    }

    /** As {@link #convert(byte[], int, String, Set, int, String)}, reading at most {@code maxBytes} of a stream. */
    public static Conversion convert(InputStream json, long maxBytes, String prefix, Set<String> reservedLabels,
                                     int maxSeries, String source) throws NotebookJsonException {
        try {
            return JsonReader.read(json, maxBytes,
                    new NotebookJson(prefix, reservedLabels, maxSeries, source)::document);
        } catch (OutOfMemoryError e) {
            throw outOfMemory();
        }
    }

    /**
     * Whatever the document had made so far is unreachable once its frames are gone, so the
     * heap it took is back by the time this is built.
     */
    private static NotebookJsonException outOfMemory() {
        return new NotebookJsonException("out_of_memory",
                "the JVM ran out of heap while this document was read; it is dropped");
    }

    private Conversion document(JsonParser p) throws IOException, NotebookJsonException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new NotebookJsonException("empty", "the JSON is empty");
        }
        if (t == JsonToken.START_ARRAY) {
            typedList(p, true);
        } else if (t == JsonToken.START_OBJECT) {
            topLevelObject(p);
        } else {
            throw new NotebookJsonException("unsupported",
                    "expected a JSON object (typed, plain or list form), found " + kind(t));
        }
        return build();
    }

    /**
     * A top-level object: the typed form when it has the typed key (other keys are then
     * ignored, as they always were), else plain and list fields.
     */
    private void topLevelObject(JsonParser p) throws IOException, NotebookJsonException {
        boolean typed = false;
        Set<String> giving = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken value = p.nextToken();
            if (key.equals(TYPED_KEY)) {
                if (typed) {
                    throw JsonReader.duplicateKey(p);
                }
                if (value != JsonToken.START_ARRAY) {
                    throw nothingUsable("'" + TYPED_KEY + "' is the typed form's list of metrics, but holds "
                            + kind(value));
                }
                // fields before it were plain ones, which the typed form ignores
                families.clear();
                errors.clear();
                messages.clear();
                series = 0;
                skipped = 0;
                typed = true;
                typedList(p, false);
            } else if (typed) {
                p.skipChildren();
            } else {
                plainField(p, key, key, value, giving);
            }
        }
    }

    /**
     * One field of a plain object. A key given twice is malformed JSON; it is looked for only
     * among the keys that gave a series, which are few (json-max-series bounds them), rather
     * than among every key, which may be millions.
     */
    private void plainField(JsonParser p, String key, String name, JsonToken value, Set<String> giving)
            throws IOException, NotebookJsonException {
        if (giving.contains(key)) {
            throw JsonReader.duplicateKey(p);
        }
        int before = series;
        field(p, name, value);
        if (series > before) {
            giving.add(key);
        }
    }

    private void typedList(JsonParser p, boolean topLevel) throws IOException, NotebookJsonException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.START_OBJECT) {
                if (topLevel) {
                    throw new NotebookJsonException("unsupported", "expected a JSON object (typed, plain or list form)"
                            + " or a list of typed metrics, found a list holding " + kind(t));
                }
                throw nothingUsable("the typed form's '" + TYPED_KEY + "' list holds " + kind(t)
                        + " where each entry must be an object");
            }
            String at = JsonReader.at(p);
            Entry e = entry(p, true);
            e.at = at;
            if (e.name == null) {
                reject("invalid_name", at, "the entry has no name");
                continue;
            }
            Collector.Type type = typeOf(e.type == null ? "gauge" : e.type);
            if (type == null) {
                reject("unsupported_type", at, "its type is not one of gauge, counter, untyped");
                continue;
            }
            add(e.name, type, e, e.help);
        }
    }

    /** One field of the plain form, named by its path from the top. */
    private void field(JsonParser p, String name, JsonToken value) throws IOException, NotebookJsonException {
        switch (value) {
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
            case VALUE_TRUE:
            case VALUE_FALSE:
                Entry plain = new Entry();
                plain.at = JsonReader.at(p);
                plain.value = readValue(p, value);
                add(name, Collector.Type.GAUGE, plain, null);
                break;
            case START_OBJECT:
                checkNameLength(name, JsonReader.at(p));
                Set<String> giving = new HashSet<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    plainField(p, key, name + "_" + key, p.nextToken(), giving);
                }
                break;
            case START_ARRAY:
                listFamily(p, name);
                break;
            default:
                skipped++; // a string or null: its text is never decoded
        }
    }

    /**
     * An array is a list family when every item is an object with a value; the items are held
     * until that is known (they count against json-max-series meanwhile).
     */
    private void listFamily(JsonParser p, String name) throws IOException, NotebookJsonException {
        List<Entry> items = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            String at = t == JsonToken.START_OBJECT ? JsonReader.at(p) : null;
            Entry item = t == JsonToken.START_OBJECT ? entry(p, false) : null;
            if (item != null) {
                item.at = at;
            }
            if (item == null || item.value == null) {
                if (item == null) {
                    p.skipChildren();
                }
                skipRestOfArray(p);
                skipped++;
                return;
            }
            items.add(item);
            if (series + items.size() > maxSeries) {
                throw tooManySeries();
            }
            if (items.size() % HeapGuard.EVERY == 0) {
                HeapGuard.check();
            }
        }
        if (items.isEmpty()) {
            skipped++;
            return;
        }
        for (Entry item : items) {
            add(name, Collector.Type.GAUGE, item, null);
        }
    }

    private static void skipRestOfArray(JsonParser p) throws IOException {
        while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
        }
    }

    /** What one typed entry or list item says; unknown keys are skipped unread. */
    private static final class Entry {
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

    private static final List<String> TYPED_KEYS = List.of("name", "type", "help", "unit", "labels", "value");
    private static final List<String> LIST_KEYS = List.of("metric", "value");

    private Entry entry(JsonParser p, boolean typed) throws IOException, NotebookJsonException {
        Entry e = new Entry();
        String labelsKey = typed ? "labels" : "metric";
        List<String> known = typed ? TYPED_KEYS : LIST_KEYS;
        int seen = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            int k = known.indexOf(key);
            if (k >= 0) {
                if ((seen & (1 << k)) != 0) {
                    throw JsonReader.duplicateKey(p);
                }
                seen |= 1 << k;
            }
            JsonToken t = p.nextToken();
            if (key.equals("value")) {
                e.value = readValue(p, t);
            } else if (key.equals(labelsKey)) {
                if (t == JsonToken.START_OBJECT) {
                    e.labels = readLabels(p);
                } else if (t != JsonToken.VALUE_NULL) {
                    e.labelsProblem = "its labels must be an object, found " + kind(t);
                    p.skipChildren();
                }
            } else if (!typed) {
                p.skipChildren();
            } else if (key.equals("name")) {
                e.name = t.isScalarValue() ? scalarText(p, t) : "";
                p.skipChildren();
            } else if (key.equals("type")) {
                e.type = t == JsonToken.VALUE_NULL ? null : t.isScalarValue() ? scalarText(p, t) : "";
                p.skipChildren();
            } else if (key.equals("help")) {
                e.help = t == JsonToken.VALUE_STRING ? p.getText() : null;
                p.skipChildren();
            } else if (key.equals("unit")) {
                if (t == JsonToken.VALUE_STRING) {
                    e.unit = p.getText();
                } else if (t != JsonToken.VALUE_NULL) {
                    e.unitProblem = "its unit must be a string, found " + kind(t);
                    p.skipChildren();
                }
            } else {
                p.skipChildren();
            }
        }
        return e;
    }

    private static List<String> readLabels(JsonParser p) throws IOException, NotebookJsonException {
        List<String> labels = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            if (labels.size() >= 2 * MAX_LABELS) {
                throw new NotebookJsonException("too_many_labels", "a series has more than " + MAX_LABELS
                        + " labels; nothing from this document is used");
            }
            String name = p.currentName();
            for (int i = 0; i < labels.size(); i += 2) {
                if (labels.get(i).equals(name)) {
                    throw JsonReader.duplicateKey(p);
                }
            }
            labels.add(name);
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_STRING) {
                labels.add(p.getText());
            } else if (t.isScalarValue()) {
                labels.add(scalarText(p, t));
            } else {
                labels.add(JsonReader.copyAsText(p));
            }
        }
        return labels;
    }

    /** A value as read, or what it was when it is none (its kind, never its text). */
    private static final class Value {
        final Double number;
        final String description;

        Value(Double number, String description) {
            this.number = number;
            this.description = description;
        }
    }

    private static Value readValue(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new Value(p.getDoubleValue(), null);
            case VALUE_TRUE:
                return new Value(1.0, null);
            case VALUE_FALSE:
                return new Value(0.0, null);
            case VALUE_STRING:
                return new Value(parseNumber(p.getText()), "a string");
            case START_ARRAY: {
                // [timestamp, "value"] as in the Prometheus HTTP API; the scrape's own time applies
                Value second = null;
                int count = 0;
                JsonToken item;
                while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (++count == 2) {
                        second = readValue(p, item);
                    } else {
                        p.skipChildren();
                    }
                }
                return count == 2 ? new Value(second.number, "a list whose second item is " + second.description)
                        : new Value(null, "a list of " + count);
            }
            default:
                p.skipChildren();
                return new Value(null, kind(t));
        }
    }

    /** A scalar as text: numbers as JSON writes them, null as {@code null}. */
    private static String scalarText(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case VALUE_NUMBER_INT:
                return p.getNumberValue().toString();
            case VALUE_NUMBER_FLOAT:
                return String.valueOf(p.getDoubleValue());
            case VALUE_NULL:
                return "null";
            default:
                return p.getText();
        }
    }

    private static String kind(JsonToken t) {
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "a list";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            default:
                return "null";
        }
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

    private void checkNameLength(String rawName, String at) throws NotebookJsonException {
        if (prefix.length() + rawName.length() > JsonReader.MAX_NAME_CHARS) {
            throw JsonReader.tooLong("a metric name is longer than " + JsonReader.MAX_NAME_CHARS + " characters, " + at);
        }
    }

    private void add(String rawName, Collector.Type type, Entry e, String help) throws NotebookJsonException {
        String at = e.at;
        if (rawName.isEmpty()) {
            reject("invalid_name", at, "the metric name is empty");
            return;
        }
        checkNameLength(rawName, at);
        String unit = "";
        if (e.unitProblem != null) {
            reject("invalid_unit", at, e.unitProblem);
            return;
        }
        if (e.unit != null && !e.unit.isEmpty()) {
            if (!isUnit(e.unit)) {
                reject("invalid_unit", at, "its unit is not made of letters, digits and _");
                return;
            }
            unit = e.unit;
        }
        String familyName = MetricNames.metricName(prefix + rawName);
        if (type == Collector.Type.COUNTER && familyName.endsWith("_total")) {
            familyName = familyName.substring(0, familyName.length() - "_total".length());
        }
        if (!unit.isEmpty() && !familyName.endsWith("_" + unit)) {
            familyName = familyName + "_" + unit;
        }
        String sampleName = type == Collector.Type.COUNTER ? familyName + "_total" : familyName;
        Double value = e.value == null ? null : e.value.number;
        if (value == null) {
            reject("invalid_value", at, e.value == null ? "it has no value"
                    : "its value is not a number (found " + e.value.description + ")");
            return;
        }
        if (type == Collector.Type.COUNTER && (value < 0 || value.isNaN())) {
            reject("invalid_value", at, "a counter's value cannot be negative or NaN");
            return;
        }
        if (e.labelsProblem != null) {
            reject("invalid_labels", at, e.labelsProblem);
            return;
        }
        Map<String, String> own = new TreeMap<>();
        if (e.labels != null) {
            for (int i = 0; i < e.labels.size(); i += 2) {
                String raw = e.labels.get(i);
                if (raw.equals("__name__")) {
                    continue;
                }
                String ln = MetricNames.labelName(raw);
                if (ln.isEmpty() || ln.startsWith("__")) {
                    reject("invalid_label", at, "a label name is reserved (starts with __) or empty");
                    return;
                }
                if (reservedLabels.contains(ln)) {
                    // ln is one of the agent's own label names, not the document's text
                    reject("label_clash", at, "label '" + ln + "' is set by the agent (identity labels win)");
                    return;
                }
                String shared = labelNames.get(ln);
                if (shared != null) {
                    ln = shared;
                } else if (labelNames.size() < MAX_SHARED_LABEL_NAMES) {
                    labelNames.put(ln, ln);
                }
                if (own.put(ln, e.labels.get(i + 1)) != null) {
                    reject("invalid_label", at, "two of its label names are the same after sanitising");
                    return;
                }
            }
        }
        FamilyBuilder family = families.get(familyName);
        if (family != null && family.sampleName.equals(sampleName)) {
            sampleName = family.sampleName;
        }
        if (family == null) {
            family = new FamilyBuilder(familyName, sampleName, unit, type,
                    help != null ? help : "Notebook metric '" + rawName + "' from " + source);
            families.put(familyName, family);
        } else if (family.type != type) {
            reject("type_conflict", at, "its family is already a " + family.type.name().toLowerCase(Locale.ROOT)
                    + " (an earlier entry)");
            return;
        } else if (!unit.isEmpty() && !unit.equals(family.unit)) {
            reject("type_conflict", at, "its family already has " + (family.unit.isEmpty() ? "no unit" : "another unit")
                    + " (an earlier entry)");
            return;
        }
        Sample sample = new Sample(sampleName, new ArrayList<>(own.keySet()), new ArrayList<>(own.values()), value);
        if (!family.seriesKeys.add(SeriesKey.of(sample))) {
            reject("duplicate_series", at, "the same series (name and labels) came earlier; the first is kept");
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

    private static boolean isUnit(String unit) {
        for (int i = 0; i < unit.length(); i++) {
            char c = unit.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private NotebookJsonException tooManySeries() {
        return new NotebookJsonException("too_many_series",
                "more than " + maxSeries + " series (json-max-series); nothing from this document is used");
    }

    private static NotebookJsonException nothingUsable(String why) {
        return new NotebookJsonException("nothing_usable", why + "; nothing from this document is used");
    }

    private static Double parseNumber(String text) {
        String t = text.trim();
        switch (t) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
            case "Inf":
            case "Infinity":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
            case "-Infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.valueOf(t);
                } catch (NumberFormatException e) {
                    return null;
                }
        }
    }

    /** A sample refused; its text says where the entry is and why, never a name or value of it. */
    private void reject(String reason, String at, String message) {
        errors.merge(reason, 1, Integer::sum);
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
    private Conversion build() throws NotebookJsonException {
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
        final String sampleName;
        final String unit;
        final Collector.Type type;
        final String help;
        final List<Sample> samples = new ArrayList<>();
        final Set<SeriesKey> seriesKeys = new HashSet<>();

        FamilyBuilder(String name, String sampleName, String unit, Collector.Type type, String help) {
            this.name = name;
            this.sampleName = sampleName;
            this.unit = unit;
            this.type = type;
            this.help = help;
        }
    }
}
