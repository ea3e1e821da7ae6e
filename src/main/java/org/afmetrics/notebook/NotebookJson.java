package org.afmetrics.notebook;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.afmetrics.notebook.SeriesBuilder.Entry;
import org.afmetrics.notebook.SeriesBuilder.Value;

/**
 * Reads a notebook's JSON document: the one place its forms are known. Three forms are recognised:
 * <ul>
 *   <li>typed ({@link #typedList}): {@code {"metrics":[{"name":…,"type":…,"unit":…,"help":…,
 *       "labels":{…},"value":…}]}} (or the list alone); a top-level object with the key
 *       {@value #TYPED_KEY} is this form and no other, its other keys ignored;</li>
 *   <li>plain ({@link #field}): an object of numbers (or booleans), nested objects joined with
 *       {@code _} (Coffea's {@code savemetrics} output); fields holding no number are skipped and
 *       counted;</li>
 *   <li>list ({@link #listFamily}): {@code {"family":[{"metric":{labels},"value":v}]}} (a
 *       Prometheus API vector); a value may be {@code [timestamp, "value"]}.</li>
 * </ul>
 * The plain and list forms mix freely in one object. What each entry says goes to a
 * {@link SeriesBuilder}, which makes the series (names, units, values, labels, families, limits).
 * Samples carry the document's own labels only; the exporter adds the identity labels, whose
 * names are therefore reserved.
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

    private final SeriesBuilder series;

    private NotebookJson(String prefix, Set<String> reservedLabels, int maxSeries, String source) {
        this.series = new SeriesBuilder(prefix, reservedLabels, maxSeries, source);
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
        return new NotebookJsonException(Reason.OUT_OF_MEMORY,
                "the JVM ran out of heap while this document was read; it is dropped");
    }

    private Conversion document(JsonParser p) throws IOException, NotebookJsonException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new NotebookJsonException(Reason.EMPTY, "the JSON is empty");
        }
        if (t == JsonToken.START_ARRAY) {
            typedList(p, true);
        } else if (t == JsonToken.START_OBJECT) {
            topLevelObject(p);
        } else {
            throw new NotebookJsonException(Reason.UNSUPPORTED,
                    "expected a JSON object (typed, plain or list form), found " + kind(t));
        }
        return series.build();
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
                    throw SeriesBuilder.nothingUsable("'" + TYPED_KEY + "' is the typed form's list of metrics, but holds "
                            + kind(value));
                }
                // fields before it were plain ones, which the typed form ignores
                series.reset();
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
        int before = series.series();
        field(p, name, value);
        if (series.series() > before) {
            giving.add(key);
        }
    }

    private void typedList(JsonParser p, boolean topLevel) throws IOException, NotebookJsonException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.START_OBJECT) {
                if (topLevel) {
                    throw new NotebookJsonException(Reason.UNSUPPORTED, "expected a JSON object (typed, plain or list form)"
                            + " or a list of typed metrics, found a list holding " + kind(t));
                }
                throw SeriesBuilder.nothingUsable("the typed form's '" + TYPED_KEY + "' list holds " + kind(t)
                        + " where each entry must be an object");
            }
            String at = JsonReader.at(p);
            Entry e = entry(p, true);
            e.at = at;
            series.typed(e);
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
                series.gauge(name, plain);
                break;
            case START_OBJECT:
                series.checkNameLength(name, JsonReader.at(p));
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
                series.skipped(); // a string or null: its text is never decoded
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
                series.skipped();
                return;
            }
            items.add(item);
            series.held(items.size());
        }
        if (items.isEmpty()) {
            series.skipped();
            return;
        }
        for (Entry item : items) {
            series.gauge(name, item);
        }
    }

    private static void skipRestOfArray(JsonParser p) throws IOException {
        while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
        }
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
                throw new NotebookJsonException(Reason.TOO_MANY_LABELS, "a series has more than " + MAX_LABELS
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
}
