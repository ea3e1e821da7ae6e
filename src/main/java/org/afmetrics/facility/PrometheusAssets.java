package org.afmetrics.facility;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The facility's Prometheus files: {@code prometheus.yml} (a file_sd job over the targets
 * directory, the Pushgateway, commented JupyterHub and Dask jobs) and {@code rules.yml}
 * (per-user and facility recording rules, alerts). Recording rules and alerts read the kernel
 * job only, so metrics that JVMs pushed at exit and that stay on the Pushgateway never count as
 * running kernels.
 */
public final class PrometheusAssets {
    public static final String JOB = "af-metrics";
    public static final String DEFAULT_TARGETS_DIR = "/var/lib/af-metrics/targets";
    /** Idle-kernel alert: no cell for this many hours while holding at least this much heap. */
    public static final int IDLE_HOURS = 4;
    public static final long IDLE_HEAP_BYTES = 2L << 30;

    private PrometheusAssets() {
    }

    /** The settings of a generated {@code prometheus.yml}. */
    public static final class ConfigOptions {
        public String targetsDir = DEFAULT_TARGETS_DIR;
        public String scrapeInterval = "15s";
        /** {@code host:port} of a Pushgateway, or null for a commented job. */
        public String pushgateway;
        public String rulesFile = "rules.yml";
    }

    /**
     * One entry of {@code scrape_configs} with the comment above it. A job that is not enabled is
     * written commented out, as an example the operator may switch on.
     */
    public static final class ScrapeJob {
        public final String comment;
        public final boolean enabled;
        public final Map<String, Object> config;

        public ScrapeJob(String comment, boolean enabled, Map<String, Object> config) {
            this.comment = comment;
            this.enabled = enabled;
            this.config = config;
        }
    }

    /** The scrape jobs of the facility's {@code prometheus.yml}, in order. */
    public static List<ScrapeJob> scrapeJobs(ConfigOptions o) {
        List<ScrapeJob> jobs = new ArrayList<>();
        jobs.add(new ScrapeJob("The kernels' exporters. Their series carry user, session (and notebook) themselves.\n"
                + "Every JVM started with the agent and its targets-dir writes a file into the directory below;\n"
                + "host is the host the kernel runs on, from that file.",
                true, kernelJob(o)));
        jobs.add(new ScrapeJob("Final metrics that short-lived JVMs pushed at exit (agent key pushgateway=URL).\n"
                + "honor_labels keeps their job, user and session.",
                o.pushgateway != null, map("job_name", "pushgateway", "honor_labels", true,
                        "static_configs", List.of(map("targets", List.of(
                                o.pushgateway == null ? "127.0.0.1:9091" : o.pushgateway))))));
        jobs.add(new ScrapeJob("JupyterHub's own metrics (needs an API token with the read:metrics scope).", false,
                map("job_name", "jupyterhub", "metrics_path", "/hub/metrics",
                        "authorization", map("credentials_file", "/etc/prometheus/jupyterhub-token"),
                        "static_configs", List.of(map("targets", List.of("hub:8081"))))));
        jobs.add(new ScrapeJob("Dask's scheduler (and workers) serve Prometheus metrics on their dashboard port.", false,
                map("job_name", "dask", "metrics_path", "/metrics",
                        "static_configs", List.of(map("targets", List.of("dask-scheduler:8787"))))));
        return jobs;
    }

    /** The af-metrics job: file_sd over the targets directory, the kernel's host from its target file. */
    private static Map<String, Object> kernelJob(ConfigOptions o) {
        checkTargetsDir(o.targetsDir);
        String dir = o.targetsDir.endsWith("/") ? o.targetsDir.substring(0, o.targetsDir.length() - 1) : o.targetsDir;
        return map("job_name", JOB,
                "file_sd_configs", List.of(map("files", List.of(dir + "/*.json"), "refresh_interval", "1m")),
                "relabel_configs", List.of(map(
                        "source_labels", List.of("__meta_afmetrics_hostname"), "target_label", "host")));
    }

    /** A whole {@code prometheus.yml}: global settings, the rule file, every scrape job. */
    public static String prometheusConfig(ConfigOptions o) {
        StringBuilder y = new StringBuilder();
        y.append(YamlWriter.comment("Prometheus configuration for af-metrics, made by: java -jar af-metrics-agent.jar"
                + " prometheus-config\nPrometheus finds the kernels through the files in the targets directory by itself.", ""));
        y.append(YamlWriter.dump(map("global", map("scrape_interval", o.scrapeInterval,
                "scrape_timeout", timeout(o.scrapeInterval), "evaluation_interval", o.scrapeInterval))));
        y.append('\n');
        y.append(YamlWriter.dump(map("rule_files", List.of(globEscaped(o.rulesFile)))));
        y.append('\n');
        y.append("scrape_configs:\n");
        y.append(jobs(scrapeJobs(o), true));
        return y.toString();
    }

    /**
     * The enabled scrape jobs alone, for an existing {@code prometheus.yml}: list items indented to
     * go under its {@code scrape_configs:}.
     */
    public static String scrapeConfigsOnly(ConfigOptions o) {
        return YamlWriter.comment("af-metrics scrape jobs, made by: java -jar af-metrics-agent.jar prometheus-config"
                + " --job-only\nPaste under scrape_configs: of prometheus.yml.", "") + jobs(scrapeJobs(o), false);
    }

    private static String jobs(List<ScrapeJob> jobs, boolean withExamples) {
        StringBuilder y = new StringBuilder();
        for (ScrapeJob job : jobs) {
            if (!job.enabled && !withExamples) {
                continue;
            }
            if (y.length() > 0) {
                y.append('\n');
            }
            y.append(YamlWriter.comment(job.comment, "  "));
            String item = YamlWriter.listItem(job.config);
            y.append(job.enabled ? item : item.replaceAll("(?m)^  ", "  # "));
        }
        return y.toString();
    }

    /**
     * Refuses a targets directory Prometheus' file discovery cannot watch: it globs the pattern
     * {@code DIR/*.json} and watches DIR by name, so a name with glob characters matches nothing.
     */
    public static void checkTargetsDir(String dir) {
        if (dir.isEmpty() || dir.matches("(?s).*[*?\\[\\\\].*")) {
            throw new IllegalArgumentException("'" + dir + "' cannot be watched by Prometheus' file discovery:"
                    + " choose a directory whose path has none of * ? [ \\");
        }
    }

    /** A file name as a glob matching just that file: Prometheus globs rule_files. */
    static String globEscaped(String path) {
        return path.replaceAll("([*?\\[\\\\])", "\\\\$1");
    }

    /** An insertion-ordered map from key, value pairs. */
    static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** The scrape timeout for an interval: the interval itself, at most 10s. */
    static String timeout(String interval) {
        long seconds = seconds(interval);
        return seconds >= 10 ? "10s" : interval;
    }

    private static long seconds(String d) {
        String t = d.trim().toLowerCase(Locale.ROOT);
        if (!t.matches("[0-9]+(ms|s|m|h)")) {
            throw new IllegalArgumentException("'" + d + "' is not a duration like 15s or 1m");
        }
        if (t.endsWith("ms")) {
            return Long.parseLong(t.substring(0, t.length() - 2)) / 1000;
        }
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        switch (t.charAt(t.length() - 1)) {
            case 'h': return n * 3600;
            case 'm': return n * 60;
            default: return n;
        }
    }

    /** Checks an interval for {@code prometheus-config}; throws with the reason. */
    public static void checkInterval(String interval) {
        if (seconds(interval) < 1) {
            throw new IllegalArgumentException("'" + interval + "' is shorter than a second");
        }
    }

    public static String rules() {
        String k = "{job=\"" + JOB + "\"}";
        String heap = "{job=\"" + JOB + "\",area=\"heap\"}";
        // A session is a kernel and the JVMs its notebook started (jvm="child"): the session_jvm level
        // keeps them apart, the session level sums them; a dashboard needs both.
        List<Object> sessions = new ArrayList<>();
        sessions.add(record("session_jvm:afmetrics_jvms:count",
                "count by (user, session, jvm) (afmetrics_agent_info" + k + ")"));
        sessions.add(record("session_jvm:process_cpu_seconds:rate5m",
                "sum by (user, session, jvm) (rate(process_cpu_seconds_total" + k + "[5m]))"));
        sessions.add(record("session:process_cpu_seconds:rate5m",
                "sum by (user, session) (session_jvm:process_cpu_seconds:rate5m)"));
        sessions.add(record("session_jvm:jvm_memory_heap_used_bytes:sum",
                "sum by (user, session, jvm) (jvm_memory_bytes_used" + heap + ")"));
        sessions.add(record("session:jvm_memory_heap_used_bytes:sum",
                "sum by (user, session) (session_jvm:jvm_memory_heap_used_bytes:sum)"));
        List<Object> users = new ArrayList<>();
        // a JVM a kernel started (jvm="child") is not a kernel of its own
        users.add(record("user:afmetrics_kernels:count",
                "count by (user) (afmetrics_agent_info{job=\"" + JOB + "\",jvm!=\"child\"})"));
        users.add(record("user:jupyter_kernels_busy:sum", "sum by (user) (jupyter_cell_running" + k + ")"));
        users.add(record("user:jupyter_cell_executions:rate5m",
                "sum by (user) (rate(jupyter_cell_executions_total" + k + "[5m]))"));
        users.add(record("user:jvm_memory_heap_used_bytes:sum", "sum by (user) (jvm_memory_bytes_used" + heap + ")"));
        users.add(record("user:jupyter_cell_cpu_seconds:rate5m",
                "sum by (user) (rate(jupyter_cell_cpu_seconds_total" + k + "[5m]))"));
        users.add(record("user:jupyter_cell_allocated_bytes:rate5m",
                "sum by (user) (rate(jupyter_cell_allocated_bytes_total" + k + "[5m]))"));
        List<Object> facility = new ArrayList<>();
        facility.add(record("facility:afmetrics_users:count", "count(user:afmetrics_kernels:count)"));
        facility.add(record("facility:afmetrics_kernels:sum", "sum(user:afmetrics_kernels:count)"));
        facility.add(record("facility:jupyter_kernels_busy:sum", "sum(user:jupyter_kernels_busy:sum)"));
        facility.add(record("facility:jupyter_cell_executions:rate5m", "sum(user:jupyter_cell_executions:rate5m)"));
        facility.add(record("facility:jvm_memory_heap_used_bytes:sum", "sum(user:jvm_memory_heap_used_bytes:sum)"));
        facility.add(record("facility:jupyter_cell_cpu_seconds:rate5m", "sum(user:jupyter_cell_cpu_seconds:rate5m)"));
        facility.add(record("facility:jupyter_cell_allocated_bytes:rate5m",
                "sum(user:jupyter_cell_allocated_bytes:rate5m)"));
        List<Object> alerts = new ArrayList<>();
        alerts.add(alert("AfMetricsExporterDown", "up" + k + " == 0", "5m", "warning",
                "Kernel exporter {{ $labels.instance }} is down",
                "Prometheus cannot scrape {{ $labels.instance }}, whose target file is still there: the kernel hangs or"
                        + " died without cleaning up (java -jar af-metrics-agent.jar targets gc DIR removes such files)."));
        alerts.add(alert("AfMetricsNotebookJsonErrors",
                "sum by (user, session, source, reason) (" + newErrors("afmetrics_json_errors_total" + k, "15m") + ")",
                null, "info",
                "Notebook metrics of {{ $labels.user }} cannot be read ({{ $labels.reason }})",
                "Source {{ $labels.source }} of session {{ $labels.session }} failed with {{ $labels.reason }} in the"
                        + " last 15 minutes; its last good values are still exported."));
        alerts.add(alert("AfMetricsKernelIdleHoldingHeap",
                "(time() - jupyter_kernel_last_activity_timestamp_seconds" + k + ") > " + IDLE_HOURS + " * 3600\n"
                        + "  and on (job, instance, node)\n"
                        + "sum by (job, instance, node) (jvm_memory_bytes_used" + heap + ") > " + IDLE_HEAP_BYTES + "\n",
                "10m", "info",
                "Kernel of {{ $labels.user }} idle for " + IDLE_HOURS + "h while holding heap",
                "Session {{ $labels.session }} has run no cell for {{ $value | humanizeDuration }} and holds more than "
                        + (IDLE_HEAP_BYTES >> 30) + " GiB of heap; consider shutting it down."));
        alerts.add(alert("AfMetricsKernelHooksNotWoven",
                "afmetrics_kernel_hooks{job=\"" + JOB + "\",state=~\"missing|failed\"} == 1", null, "warning",
                "Cell hook {{ $labels.hook }} {{ $labels.state }} in the kernel of {{ $labels.user }}",
                "Session {{ $labels.session }} runs a kernel version whose {{ $labels.hook }} the agent does not know"
                        + " (missing) or could not hook (failed): its cells are not fully measured. The kernel's log"
                        + " names the class and method in an [af-metrics] line."));
        return YamlWriter.comment("Recording rules and alerts for af-metrics, made by: java -jar af-metrics-agent.jar"
                + " prometheus-rules\nThey read the kernels' job (" + JOB + ") only: what the Pushgateway keeps from JVMs"
                + " that\nhave exited is not a running kernel.", "")
                + YamlWriter.dump(map("groups", List.of(
                        map("name", "af-metrics-sessions", "rules", sessions),
                        map("name", "af-metrics-users", "rules", users),
                        map("name", "af-metrics-facility", "rules", facility),
                        map("name", "af-metrics-alerts", "rules", alerts))));
    }

    /**
     * The errors a counter gained within {@code window}, counting a series that appeared within it:
     * a labelled counter child is born at its first error, already at 1, where {@code increase()}
     * alone sees no rise.
     */
    public static String newErrors(String counter, String window) {
        return "(increase(" + counter + "[" + window + "]) > 0) or (" + bornWithin(counter, window) + " > 0)";
    }

    /**
     * The series of {@code counter} that appeared within {@code window}, as far as this Prometheus
     * can tell: only once it holds kernel data from {@code window} ago, so that a fresh Prometheus
     * does not take every counter it finds for new.
     */
    static String bornWithin(String counter, String window) {
        return "((" + counter + " unless " + counter + " offset " + window + ") and on () group(up{job=\"" + JOB
                + "\"} offset " + window + "))";
    }

    private static Map<String, Object> record(String name, String expr) {
        return map("record", name, "expr", expr);
    }

    private static Map<String, Object> alert(String name, String expr, String forDuration, String severity,
                                             String summary, String description) {
        Map<String, Object> a = map("alert", name, "expr", expr);
        if (forDuration != null) {
            a.put("for", forDuration);
        }
        a.put("labels", map("severity", severity));
        a.put("annotations", map("summary", summary, "description", description));
        return a;
    }
}
