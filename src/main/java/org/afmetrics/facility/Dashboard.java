package org.afmetrics.facility;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.afmetrics.config.ConfigKey;

/**
 * The facility's Grafana dashboard, generated so that it cannot drift from the metric names the
 * agent exports. It imports like a dashboard Grafana exported for sharing: {@code __inputs} asks
 * for a Prometheus data source, which becomes the default of the {@code datasource} variable
 * every query reads, so the data source can still be switched later; {@code user} and
 * {@code session} filter every panel. Its shape is checked against the Grafana foundation SDK's
 * dashboard types by the tests.
 */
public final class Dashboard {
    public static final String UID = "af-metrics-kernels";
    /** The dashboard schema of Grafana 11.6, which the foundation SDK the tests check against describes. */
    public static final int SCHEMA_VERSION = 41;
    public static final String MIN_GRAFANA_VERSION = "11.0.0";
    /** The import dialog's data source input; Grafana replaces ${DS_PROMETHEUS} by the chosen one. */
    static final String DS_INPUT = "DS_PROMETHEUS";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /**
     * The filter of every kernel query. {@code node} is the label node agents add (see
     * {@code prometheus-config --mode node}); a single server's series have none, and the
     * variable's All ({@code .*}) matches those too.
     */
    private static final String K = "job=\"$job\",node=~\"$node\",user=~\"$user\",session=~\"$session\",jvm=~\"$jvm\"";
    private static final String EXECUTIONS = "jupyter_cell_executions_total{" + K + "}";

    private final ArrayNode panels = JSON.createArrayNode();
    private final String prefix;
    private int nextId = 1;
    private int x;
    private int y;

    private Dashboard(String prefix) {
        this.prefix = prefix;
    }

    /** The dashboard for the agents' default metric prefix. */
    public static String render() {
        return render(ConfigKey.PREFIX.defaultValue());
    }

    /** The dashboard for agents whose notebook metrics carry this prefix (agent key prefix). */
    public static String render(String prefix) {
        return new Dashboard(prefix).build();
    }

    private String build() {
        ObjectNode d = JSON.createObjectNode();
        d.set("__inputs", JSON.createArrayNode().add(JSON.createObjectNode()
                .put("name", DS_INPUT).put("label", "Prometheus")
                .put("description", "The Prometheus that scrapes the kernels (job " + PrometheusAssets.JOB + ")")
                .put("type", "datasource").put("pluginId", "prometheus").put("pluginName", "Prometheus")));
        ArrayNode requires = d.putArray("__requires");
        requires.addObject().put("type", "grafana").put("id", "grafana").put("name", "Grafana")
                .put("version", MIN_GRAFANA_VERSION);
        requires.addObject().put("type", "datasource").put("id", "prometheus").put("name", "Prometheus")
                .put("version", "1.0.0");
        requires.addObject().put("type", "panel").put("id", "timeseries").put("name", "Time series").put("version", "");
        d.put("uid", UID);
        d.put("title", "af-metrics: JVM notebook kernels");
        d.put("description", "Kernels, cells, JVM resources and notebook metrics per user and session, from the af-metrics agent.");
        d.putArray("tags").add("af-metrics").add("jupyter").add("jvm");
        d.put("timezone", "");
        d.put("editable", true);
        d.put("graphTooltip", 1);
        d.put("refresh", "30s");
        d.put("schemaVersion", SCHEMA_VERSION);
        d.put("version", 1);
        ObjectNode time = d.putObject("time");
        time.put("from", "now-6h");
        time.put("to", "now");
        ArrayNode annotations = d.putObject("annotations").putArray("list");
        annotations.add(builtInAnnotations());
        annotations.add(annotation("Kernel starts", "green",
                "max by (user, session) (process_start_time_seconds{" + K + ",jvm!=\"child\"}) * 1000",
                "Kernel started", "{{user}} {{session}}"));
        ArrayNode vars = d.putObject("templating").putArray("list");
        vars.add(datasourceVariable());
        vars.add(textbox("job", "Kernel job", PrometheusAssets.JOB));
        vars.add(query("node", "Node", "label_values(afmetrics_agent_info{job=\"$job\"}, node)", true));
        vars.add(query("user", "User", "label_values(afmetrics_agent_info{job=\"$job\",node=~\"$node\"}, user)", true));
        vars.add(query("session", "Session",
                "label_values(afmetrics_agent_info{job=\"$job\",node=~\"$node\",user=~\"$user\"}, session)", true));
        // kernel: a kernel's own JVM; child: a JVM a notebook started; other: neither
        ObjectNode jvm = query("jvm", "JVM role",
                "label_values(afmetrics_agent_info{job=\"$job\",node=~\"$node\",user=~\"$user\",session=~\"$session\"}, jvm)",
                true);
        jvm.put("description", "kernel: a JVM kernel itself; child: a JVM a notebook started; other: neither");
        vars.add(jvm);
        ObjectNode metric = query("metric", "Notebook metric",
                "label_values({__name__=~\"" + prefix + ".+\"," + K + "}, __name__)", false);
        metric.put("description", "Metrics from the notebooks' JSON (prefix " + prefix + ")");
        // Coffea's savemetrics always has entries; Grafana takes the first listed metric where it is absent
        ObjectNode firstMetric = metric.putObject("current").put("selected", false);
        firstMetric.put("text", prefix + "entries").put("value", prefix + "entries");
        vars.add(metric);

        row("Kernels and cells");
        panel("Kernels per user", "JVM kernels running the agent, per user (not the JVMs a notebook started).", "short",
                target("count by (user) (afmetrics_agent_info{job=\"$job\",node=~\"$node\",user=~\"$user\",jvm!=\"child\"})",
                        "{{user}}"));
        panel("Busy kernels", "Kernels running a cell right now, per user.", "short",
                target("sum by (user) (jupyter_cell_running{" + K + "})", "{{user}}"));
        panel("Cells per minute", "Cell executions per minute, per user, whatever their outcome.", "short",
                target("sum by (user) (rate(" + EXECUTIONS + "[$__rate_interval])) * 60", "{{user}}"));
        panel("Cell duration p50 / p95", "Cell execution time quantiles over the selected kernels.", "s",
                target("histogram_quantile(0.5, sum by (le) (rate(jupyter_cell_duration_seconds_bucket{" + K
                        + "}[$__rate_interval])))", "p50"),
                target("histogram_quantile(0.95, sum by (le) (rate(jupyter_cell_duration_seconds_bucket{" + K
                        + "}[$__rate_interval])))", "p95"));
        panel("Cell error ratio", "Share of cell executions that ended in an error, per user (0 when none failed).",
                "percentunit",
                target("(sum by (user) (rate(jupyter_cell_executions_total{status=\"error\"," + K + "}[$__rate_interval]))"
                        + " or sum by (user) (rate(" + EXECUTIONS + "[$__rate_interval])) * 0)"
                        + " / sum by (user) (rate(" + EXECUTIONS + "[$__rate_interval]))", "{{user}}"));
        panel("Idle time per kernel", "Time since each kernel last started or finished a cell.", "s",
                target("time() - max by (user, session) (jupyter_kernel_last_activity_timestamp_seconds{" + K + "})",
                        "{{user}} {{session}}"));

        cellResources();

        row("JVM per session");
        panel("JVMs per session", "JVMs of each session by role: the kernel's own (kernel) and those its notebook"
                + " started (child).", "short",
                target("count by (user, session, jvm) (afmetrics_agent_info{" + K + "})", "{{user}} {{session}} {{jvm}}"));
        panel("CPU per session", "CPU of each session's JVMs in cores: all together, and by role (the kernel's own JVM,"
                + " the JVMs its notebook started).", "short",
                target("sum by (user, session) (rate(process_cpu_seconds_total{" + K + "}[$__rate_interval]))",
                        "{{user}} {{session}} all"),
                target("sum by (user, session, jvm) (rate(process_cpu_seconds_total{" + K + "}[$__rate_interval]))",
                        "{{user}} {{session}} {{jvm}}"));
        panel("Heap used", "Heap in use per session: all its JVMs together, and by role.", "bytes",
                target("sum by (user, session) (jvm_memory_bytes_used{area=\"heap\"," + K + "})", "{{user}} {{session}} all"),
                target("sum by (user, session, jvm) (jvm_memory_bytes_used{area=\"heap\"," + K + "})",
                        "{{user}} {{session}} {{jvm}}"));
        panel("GC time", "Share of time spent in garbage collection, per session.", "percentunit",
                target("sum by (user, session) (rate(jvm_gc_collection_seconds_sum{" + K + "}[$__rate_interval]))",
                        "{{user}} {{session}}"));
        panel("Threads", "Live threads per session.", "short",
                target("sum by (user, session) (jvm_threads_current{" + K + "})", "{{user}} {{session}}"));
        panel("Notebook metric: $metric", "The notebook's own JSON metric chosen above, per series.", "short",
                target("{__name__=\"$metric\"," + K + "}", "{{user}} {{session}}"));

        row("Exporter health");
        panel("Exporters up", "1 when Prometheus scraped the kernel's exporter, 0 when it could not.", "short",
                target("up{job=\"$job\",node=~\"$node\"}", "{{node}} {{instance}}"));
        panel("Notebook JSON: time since last good read", "Per JSON source; grows while a source fails or is missing.",
                "s", target("time() - afmetrics_json_last_success_timestamp_seconds{" + K + "}",
                        "{{user}} {{session}} {{source}}"));
        panel("Notebook JSON errors", "Documents or samples rejected over the dashboard's time range, by reason.", "short",
                target("sum by (user, session, source, reason) ("
                        + newErrors("afmetrics_json_errors_total{" + K + "}", "$__range") + ")",
                        "{{user}} {{session}} {{source}}: {{reason}}"));
        d.set("panels", panels);
        try {
            return JSON.writeValueAsString(d) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Errors within the range. A labelled counter child is born at its first error, already at 1,
     * where {@code increase()} sees nothing: a series born within the range counts with its value,
     * the others with their increase.
     */
    static String newErrors(String counter, String range) {
        return "(" + counter + " unless " + counter + " offset " + range + ") or increase(" + counter + "[" + range + "])";
    }

    /** What cells cost: CPU and allocation of the threads that ran them, per user and per session. */
    private void cellResources() {
        row("What cells cost");
        panel("Cell CPU per user", "CPU time of the threads running cells, in cores (CPU seconds per second), per user.",
                "short", target("sum by (user) (rate(jupyter_cell_cpu_seconds_total{" + K + "}[$__rate_interval]))",
                        "{{user}}"));
        panel("Cell CPU per session", "CPU time of the threads running cells, in cores, per session.", "short",
                target("sum by (user, session) (rate(jupyter_cell_cpu_seconds_total{" + K + "}[$__rate_interval]))",
                        "{{user}} {{session}}"));
        panel("Cell allocation per user", "Heap bytes allocated per second by the threads running cells, per user.",
                "Bps", target("sum by (user) (rate(jupyter_cell_allocated_bytes_total{" + K + "}[$__rate_interval]))",
                        "{{user}}"));
        panel("Cell allocation per session", "Heap bytes allocated per second by the threads running cells, per session.",
                "Bps", target("sum by (user, session) (rate(jupyter_cell_allocated_bytes_total{" + K
                        + "}[$__rate_interval]))", "{{user}} {{session}}"));
        panel("GC time during cells", "Share of time the JVM spent collecting garbage while cells ran, per session.",
                "percentunit", target("sum by (user, session) (rate(jupyter_cell_gc_seconds_total{" + K
                        + "}[$__rate_interval]))", "{{user}} {{session}}"));
        panel("Cell hook points by state", "Kernel hook points per state; missing or failed ones leave cells unmeasured"
                + " (see the AfMetricsKernelHooksNotWoven alert).", "short",
                target("count by (state) (afmetrics_kernel_hooks{" + K + "})", "{{state}}"));
    }

    private static ObjectNode datasourceRef() {
        ObjectNode ds = JSON.createObjectNode();
        ds.put("type", "prometheus");
        ds.put("uid", "${datasource}");
        return ds;
    }

    /** Every query reads ${datasource}; its default is the data source picked in the import dialog. */
    private static ObjectNode datasourceVariable() {
        ObjectNode v = JSON.createObjectNode();
        v.put("type", "datasource");
        v.put("name", "datasource");
        v.put("label", "Data source");
        v.put("query", "prometheus");
        v.put("regex", "");
        v.put("refresh", 1);
        v.put("hide", 0);
        v.putObject("current").put("selected", false).put("text", "Prometheus").put("value", "${" + DS_INPUT + "}");
        v.putArray("options");
        return v;
    }

    /** Grafana's own annotations and alerts, as every dashboard has them. */
    private static ObjectNode builtInAnnotations() {
        ObjectNode a = JSON.createObjectNode();
        a.put("builtIn", 1);
        a.putObject("datasource").put("type", "grafana").put("uid", "-- Grafana --");
        a.put("enable", true);
        a.put("hide", true);
        a.put("iconColor", "rgba(0, 211, 255, 1)");
        a.put("name", "Annotations & Alerts");
        a.put("type", "dashboard");
        return a;
    }

    /** A Prometheus annotation: one mark per series, at the time its value (in ms) names. */
    private static ObjectNode annotation(String name, String color, String expr, String title, String text) {
        ObjectNode a = JSON.createObjectNode();
        a.put("name", name);
        a.set("datasource", datasourceRef());
        a.put("enable", true);
        a.put("hide", false);
        a.put("iconColor", color);
        a.put("expr", expr);
        a.put("step", "1m");
        a.put("titleFormat", title);
        a.put("textFormat", text);
        a.put("useValueForTime", true);
        return a;
    }

    private static ObjectNode textbox(String name, String label, String value) {
        ObjectNode v = JSON.createObjectNode();
        v.put("type", "textbox");
        v.put("name", name);
        v.put("label", label);
        v.put("query", value);
        v.put("hide", 0);
        ObjectNode current = v.putObject("current");
        current.put("text", value);
        current.put("value", value);
        ArrayNode options = v.putArray("options");
        options.add(current.deepCopy().put("selected", true));
        return v;
    }

    private static ObjectNode query(String name, String label, String query, boolean multi) {
        ObjectNode v = JSON.createObjectNode();
        v.put("type", "query");
        v.put("name", name);
        v.put("label", label);
        v.set("datasource", datasourceRef());
        v.put("query", query);
        v.put("refresh", 2);
        v.put("sort", 1);
        v.put("regex", "");
        v.put("hide", 0);
        v.put("multi", multi);
        v.put("includeAll", multi);
        if (multi) {
            v.put("allValue", ".*");
            ObjectNode current = v.putObject("current");
            current.put("selected", true);
            current.putArray("text").add("All");
            current.putArray("value").add("$__all");
        }
        v.putArray("options");
        return v;
    }

    private static ObjectNode target(String expr, String legend) {
        ObjectNode t = JSON.createObjectNode();
        t.set("datasource", datasourceRef());
        t.put("expr", expr);
        t.put("legendFormat", legend);
        t.put("range", true);
        return t;
    }

    private void row(String title) {
        if (x != 0) {
            x = 0;
            y += 8;
        }
        ObjectNode r = panels.addObject();
        r.put("id", nextId++);
        r.put("type", "row");
        r.put("title", title);
        r.put("collapsed", false);
        r.putArray("panels");
        ObjectNode pos = r.putObject("gridPos");
        pos.put("h", 1).put("w", 24).put("x", 0).put("y", y);
        y += 1;
    }

    private void panel(String title, String description, String unit, ObjectNode... targets) {
        ObjectNode p = panels.addObject();
        p.put("id", nextId++);
        p.put("type", "timeseries");
        p.put("title", title);
        p.put("description", description);
        p.set("datasource", datasourceRef());
        ObjectNode pos = p.putObject("gridPos");
        pos.put("h", 8).put("w", 12).put("x", x).put("y", y);
        x += 12;
        if (x >= 24) {
            x = 0;
            y += 8;
        }
        ObjectNode defaults = p.putObject("fieldConfig").putObject("defaults");
        defaults.put("unit", unit);
        p.withObject("/fieldConfig").putArray("overrides");
        ObjectNode options = p.putObject("options");
        ObjectNode legend = options.putObject("legend");
        legend.put("displayMode", "list").put("placement", "bottom").put("showLegend", true).putArray("calcs");
        options.putObject("tooltip").put("mode", "multi").put("sort", "desc");
        ArrayNode ts = p.putArray("targets");
        char ref = 'A';
        for (ObjectNode t : targets) {
            t.put("refId", String.valueOf(ref++));
            ts.add(t);
        }
    }
}
