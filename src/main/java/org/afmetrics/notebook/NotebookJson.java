package org.afmetrics.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Converts a notebook's JSON document into metric families. Three forms are recognised:
 * <ul>
 *   <li>typed: {@code {"metrics":[{"name":…,"type":…,"help":…,"labels":{…},"value":…}]}};</li>
 *   <li>plain: an object of numbers, nested objects joined with {@code _} (Coffea's
 *       {@code savemetrics} output); fields holding no number are skipped and counted;</li>
 *   <li>list: {@code {"family":[{"metric":{labels},"value":v}]}} (a Prometheus API vector).</li>
 * </ul>
 * The plain and list forms mix freely in one object. Samples carry the document's own labels
 * only; the exporter adds the identity labels, whose names are therefore reserved here.
 */
public final class NotebookJson {
    private static final int MAX_MESSAGES = 20;

    private final String prefix;
    private final Set<String> reservedLabels;
    private final int maxSeries;
    private final String source;

    private final Map<String, FamilyBuilder> families = new LinkedHashMap<>();
    private final Map<String, Integer> errors = new TreeMap<>();
    private final List<String> messages = new ArrayList<>();
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
        return convert(JsonReader.parse(json, length), prefix, reservedLabels, maxSeries, source);
    }

    public static Conversion convert(JsonNode root, String prefix, Set<String> reservedLabels, int maxSeries,
                                     String source)
            throws NotebookJsonException {
        NotebookJson c = new NotebookJson(prefix, reservedLabels, maxSeries, source);
        if (isTypedList(root)) {
            c.typed(root);
        } else if (root.isObject() && isTypedList(root.get("metrics"))) {
            c.typed(root.get("metrics"));
        } else if (root.isObject()) {
            c.object("", root);
        } else {
            throw new NotebookJsonException("unsupported", "expected a JSON object (typed, plain or list form), found "
                    + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return c.build();
    }

    private static boolean isTypedList(JsonNode node) {
        if (node == null || !node.isArray() || node.size() == 0) {
            return false;
        }
        for (JsonNode entry : node) {
            if (!entry.isObject() || !entry.has("name")) {
                return false;
            }
        }
        return true;
    }

    private void typed(JsonNode entries) throws NotebookJsonException {
        for (JsonNode entry : entries) {
            String rawName = entry.get("name").asText();
            Collector.Type type = typeOf(entry.path("type").asText("gauge"));
            if (type == null) {
                reject("unsupported_type", rawName, "type '" + entry.path("type").asText()
                        + "' is not one of gauge, counter, untyped");
                continue;
            }
            JsonNode help = entry.get("help");
            add(rawName, type, help != null && help.isTextual() ? help.asText() : null,
                    entry.get("labels"), entry.get("value"));
        }
    }

    private void object(String path, JsonNode node) throws NotebookJsonException {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String name = path.isEmpty() ? f.getKey() : path + "_" + f.getKey();
            JsonNode v = f.getValue();
            if (v.isNumber() || v.isBoolean()) {
                add(name, Collector.Type.GAUGE, null, null, v);
            } else if (v.isObject()) {
                object(name, v);
            } else if (isListFamily(v)) {
                for (JsonNode item : v) {
                    add(name, Collector.Type.GAUGE, null, item.get("metric"), item.get("value"));
                }
            } else {
                skipped++;
            }
        }
    }

    private static boolean isListFamily(JsonNode v) {
        if (!v.isArray() || v.size() == 0) {
            return false;
        }
        for (JsonNode item : v) {
            if (!item.isObject() || !item.has("value")) {
                return false;
            }
        }
        return true;
    }

    private static Collector.Type typeOf(String t) {
        switch (t.toLowerCase(java.util.Locale.ROOT)) {
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

    private void add(String rawName, Collector.Type type, String help, JsonNode labels, JsonNode valueNode)
            throws NotebookJsonException {
        if (rawName.isEmpty()) {
            reject("invalid_name", rawName, "the metric name is empty");
            return;
        }
        String name = MetricNames.metricName(prefix + rawName);
        String familyName = name;
        String sampleName = name;
        if (type == Collector.Type.COUNTER) {
            familyName = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
            sampleName = familyName + "_total";
        }
        Double value = valueOf(valueNode);
        if (value == null) {
            reject("invalid_value", rawName, "value " + describe(valueNode) + " is not a number");
            return;
        }
        if (type == Collector.Type.COUNTER && (value < 0 || value.isNaN())) {
            reject("invalid_value", rawName, "a counter cannot be " + value);
            return;
        }
        Map<String, String> own = new TreeMap<>();
        if (labels != null && !labels.isNull()) {
            if (!labels.isObject()) {
                reject("invalid_labels", rawName, "labels must be an object, found " + describe(labels));
                return;
            }
            Iterator<Map.Entry<String, JsonNode>> it = labels.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> l = it.next();
                if (l.getKey().equals("__name__")) {
                    continue;
                }
                String ln = MetricNames.labelName(l.getKey());
                if (ln.isEmpty() || ln.startsWith("__")) {
                    reject("invalid_label", rawName, "label name '" + l.getKey() + "' is reserved or empty");
                    return;
                }
                if (reservedLabels.contains(ln)) {
                    reject("label_clash", rawName, "label '" + ln + "' is set by the agent (identity labels win)");
                    return;
                }
                if (own.put(ln, l.getValue().isTextual() ? l.getValue().asText() : l.getValue().toString()) != null) {
                    reject("invalid_label", rawName, "label '" + ln + "' appears twice after sanitising");
                    return;
                }
            }
        }
        List<String> names = new ArrayList<>(own.keySet());
        List<String> values = new ArrayList<>(own.values());
        FamilyBuilder family = families.get(familyName);
        if (family == null) {
            family = new FamilyBuilder(familyName, type,
                    help != null ? help : "Notebook metric '" + rawName + "' from " + source);
            families.put(familyName, family);
        } else if (family.type != type) {
            reject("type_conflict", rawName, "'" + familyName + "' is already a " + family.type.name().toLowerCase(java.util.Locale.ROOT));
            return;
        }
        if (!family.seriesKeys.add(sampleName + own)) {
            reject("duplicate_series", rawName, "the series " + sampleName + own + " appears twice; the first is kept");
            return;
        }
        if (++series > maxSeries) {
            throw new NotebookJsonException("too_many_series",
                    "more than " + maxSeries + " series (json-max-series); nothing from this document is used");
        }
        family.samples.add(new Sample(sampleName, names, values, value));
    }

    private static Double valueOf(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue() ? 1.0 : 0.0;
        }
        if (v.isTextual()) {
            return parseNumber(v.asText());
        }
        if (v.isArray() && v.size() == 2) {
            // [timestamp, "value"] as in the Prometheus HTTP API; the scrape's own time applies
            return valueOf(v.get(1));
        }
        return null;
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

    private static String describe(JsonNode n) {
        if (n == null) {
            return "(missing)";
        }
        String s = n.toString();
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }

    private void reject(String reason, String rawName, String message) {
        errors.merge(reason, 1, Integer::sum);
        if (messages.size() < MAX_MESSAGES) {
            messages.add((rawName.length() > 80 ? rawName.substring(0, 77) + "..." : rawName) + ": " + message);
        }
    }

    private Conversion build() {
        List<MetricFamilySamples> out = new ArrayList<>(families.size());
        for (FamilyBuilder f : families.values()) {
            out.add(new MetricFamilySamples(f.name, f.type, f.help, Collections.unmodifiableList(f.samples)));
        }
        return new Conversion(out, series, skipped, errors, messages);
    }

    private static final class FamilyBuilder {
        final String name;
        final Collector.Type type;
        final String help;
        final List<Sample> samples = new ArrayList<>();
        final Set<String> seriesKeys = new HashSet<>();

        FamilyBuilder(String name, Collector.Type type, String help) {
            this.name = name;
            this.type = type;
            this.help = help;
        }
    }
}
