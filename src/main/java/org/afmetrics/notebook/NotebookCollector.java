package org.afmetrics.notebook;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * All of the notebook's JSON metrics, files and pushed, as one set of families: a family that
 * several sources share gets one HELP and TYPE, and a series two sources both give is taken
 * from the first. Also reports the health of every source ({@code afmetrics_json_*}).
 * <p>
 * No lock is held while a file is looked at: each file is opened and read on a helper of its own
 * ({@link JsonFileSource}), all of them at once, and a scrape waits for them within one bound;
 * only merging the last good versions, which reads no file, is done one scrape at a time.
 */
public final class NotebookCollector extends Collector implements Collector.Describable {
    private final SourcePatterns patterns;
    private final Map<Path, JsonFileSource> files = new LinkedHashMap<>();
    private final PushedMetrics pushed;
    private final String prefix;
    private final Set<String> reservedLabels;
    private final long maxBytes;
    private final int maxSeries;
    private final ParseGate gate;

    private Conversion[] mergedFrom = new Conversion[0];
    private List<MetricFamilySamples> merged = Collections.emptyList();

    public NotebookCollector(List<String> jsonEntries, Path workingDir, String prefix, Set<String> reservedLabels,
                             long maxBytes, int maxSeries, PushedMetrics pushed) {
        this(jsonEntries, workingDir, prefix, reservedLabels, maxBytes, maxSeries, pushed, new ParseGate());
    }

    /** {@code gate}: the agent's one, shared with the pushed metrics. */
    public NotebookCollector(List<String> jsonEntries, Path workingDir, String prefix, Set<String> reservedLabels,
                             long maxBytes, int maxSeries, PushedMetrics pushed, ParseGate gate) {
        this.gate = gate;
        this.patterns = new SourcePatterns(jsonEntries, workingDir);
        this.prefix = prefix;
        this.reservedLabels = reservedLabels;
        this.maxBytes = maxBytes;
        this.maxSeries = maxSeries;
        this.pushed = pushed;
    }

    /**
     * The families depend on what the notebook writes, so none are declared; this also keeps
     * registration from reading (and parsing) the files before the exporter serves.
     */
    @Override
    public List<MetricFamilySamples> describe() {
        return Collections.emptyList();
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<SourceHealth> sources = refresh();
        List<MetricFamilySamples> out;
        synchronized (this) {
            out = new ArrayList<>(mergedFamilies(sources));
        }
        out.addAll(healthFamilies(sources));
        return out;
    }

    /** Reads what changed; returns every source, files first, then the pushed set. */
    public List<SourceHealth> refresh() {
        List<Path> paths = patterns.current();
        List<JsonFileSource> current = new ArrayList<>(paths.size());
        synchronized (files) {
            for (Path p : paths) {
                current.add(files.computeIfAbsent(p,
                        k -> new JsonFileSource(k, prefix, reservedLabels, maxBytes, maxSeries, gate)));
            }
        }
        // every changed file's look starts now, and all are waited for within one bound
        List<JsonFileSource.Look> looks = new ArrayList<>(current.size());
        for (JsonFileSource s : current) {
            looks.add(s.begin());
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(JsonFileSource.LOOK_WAIT_MS);
        List<SourceHealth> sources = new ArrayList<>(current.size() + 1);
        for (int i = 0; i < current.size(); i++) {
            current.get(i).await(looks.get(i), deadline);
            sources.add(current.get(i).health());
        }
        if (pushed != null) {
            sources.add(pushed.health());
        }
        return sources;
    }

    private List<MetricFamilySamples> mergedFamilies(List<SourceHealth> sources) {
        Conversion[] now = new Conversion[sources.size()];
        for (int i = 0; i < now.length; i++) {
            now[i] = sources.get(i).lastGood();
        }
        if (Arrays.equals(now, mergedFrom)) {
            return merged;
        }
        Map<String, MetricFamilySamples> byName = new LinkedHashMap<>();
        Map<String, Set<SeriesKey>> seriesByName = new LinkedHashMap<>();
        for (int i = 0; i < now.length; i++) {
            if (now[i] == null) {
                continue;
            }
            for (MetricFamilySamples f : now[i].families()) {
                // the texts below name a family or sample only as the first source exports it: a name
                // made valid by MetricNames and already on /metrics, never a key or value as written
                MetricFamilySamples first = byName.get(f.name);
                if (first == null) {
                    byName.put(f.name, f);
                } else if (first.type != f.type) {
                    sources.get(i).failure(Reason.TYPE_CONFLICT, f.name + " is a " + first.type + " in another source");
                } else {
                    Set<SeriesKey> keys = seriesByName.computeIfAbsent(f.name, n -> keysOf(first.samples));
                    List<Sample> samples = new ArrayList<>(first.samples);
                    for (Sample s : f.samples) {
                        if (keys.add(SeriesKey.of(s))) {
                            samples.add(s);
                        } else {
                            sources.get(i).failure(Reason.DUPLICATE_SERIES, s.name + " is also given by another source");
                        }
                    }
                    byName.put(f.name, new MetricFamilySamples(f.name, first.unit, f.type, first.help, samples));
                }
            }
        }
        mergedFrom = now;
        merged = new ArrayList<>(byName.values());
        return merged;
    }

    private static Set<SeriesKey> keysOf(List<Sample> samples) {
        Set<SeriesKey> keys = new HashSet<>();
        for (Sample s : samples) {
            keys.add(SeriesKey.of(s));
        }
        return keys;
    }

    private static List<MetricFamilySamples> healthFamilies(List<SourceHealth> sources) {
        List<Sample> errors = new ArrayList<>();
        List<Sample> success = new ArrayList<>();
        List<Sample> series = new ArrayList<>();
        List<Sample> skipped = new ArrayList<>();
        List<String> src = Collections.singletonList("source");
        List<String> srcReason = Arrays.asList("source", "reason");
        for (SourceHealth h : sources) {
            List<String> name = Collections.singletonList(h.name());
            for (Map.Entry<String, Long> e : h.errors().entrySet()) {
                errors.add(new Sample("afmetrics_json_errors_total", srcReason, Arrays.asList(h.name(), e.getKey()),
                        e.getValue()));
            }
            Conversion good = h.lastGood();
            series.add(new Sample("afmetrics_json_series", src, name, good == null ? 0 : good.series()));
            skipped.add(new Sample("afmetrics_json_skipped_fields", src, name, good == null ? 0 : good.skippedFields()));
            if (!Double.isNaN(h.lastSuccessSeconds())) {
                success.add(new Sample("afmetrics_json_last_success_timestamp_seconds", src, name,
                        h.lastSuccessSeconds()));
            }
        }
        List<MetricFamilySamples> out = new ArrayList<>(4);
        if (!errors.isEmpty()) {
            out.add(new MetricFamilySamples("afmetrics_json_errors", Type.COUNTER,
                    "Notebook JSON documents or samples that could not be used, by source and reason.", errors));
        }
        if (!success.isEmpty()) {
            out.add(new MetricFamilySamples("afmetrics_json_last_success_timestamp_seconds", Type.GAUGE,
                    "When each notebook JSON source was last read successfully.", success));
        }
        out.add(new MetricFamilySamples("afmetrics_json_series", Type.GAUGE,
                "Series exported from each notebook JSON source (its last good version).", series));
        out.add(new MetricFamilySamples("afmetrics_json_skipped_fields", Type.GAUGE,
                "Fields of each notebook JSON source that held no number and were skipped.", skipped));
        return out;
    }
}
