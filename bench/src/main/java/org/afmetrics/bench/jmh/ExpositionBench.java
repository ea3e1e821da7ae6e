package org.afmetrics.bench.jmh;

import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.afmetrics.bench.SeriesFiles;
import org.afmetrics.exporter.DeferredHotspotCollector;
import org.afmetrics.exporter.LabelledRegistry;
import org.afmetrics.exporter.ScrapeHandler;
import org.afmetrics.identity.Identity;
import org.afmetrics.notebook.NotebookCollector;
import org.afmetrics.shaded.io.prometheus.client.exporter.common.TextFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The text exposition of the agent's whole registry (hotspot, agent info, notebook JSON of N
 * series, identity labels on every sample): the work of one scrape without the HTTP around it.
 * {@code scrape} is what {@code GET /metrics} does (notebook families rendered once per version
 * of the file); {@code everyFamilyRendered} labels and renders every family on every call, as
 * simpleclient's own handler does and as a scrape right after the file changed costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ExpositionBench {
    @Param({"0", "1000", "10000"})
    public int series;

    private LabelledRegistry registry;
    private ScrapeHandler handler;

    @Setup
    public void setUp() throws Exception {
        Path dir = Files.createTempDirectory("afmetrics-bench");
        Path json = SeriesFiles.write(dir, series);
        Identity identity = new Identity(Map.of("user", "alice", "session", "3f2a9c"));
        registry = new LabelledRegistry(identity);
        DeferredHotspotCollector hotspot = new DeferredHotspotCollector();
        hotspot.startLoading();
        registry.register(hotspot);
        registry.register(new NotebookCollector(series == 0 ? List.of() : List.of(json.toString()), dir,
                "notebook_", identity.reservedLabelNames(), 16 << 20, 20000, null));
        handler = new ScrapeHandler(registry);
        everyFamilyRendered();
        scrape();
    }

    @Benchmark
    public byte[] scrape() throws Exception {
        return handler.render(false);
    }

    @Benchmark
    public byte[] everyFamilyRendered() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        TextFormat.write004(w, registry.metricFamilySamples());
        w.flush();
        return out.toByteArray();
    }
}
