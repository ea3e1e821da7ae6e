package org.afmetrics.facility;

import java.util.Locale;

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

    public static String prometheusConfig(ConfigOptions o) {
        String dir = o.targetsDir.endsWith("/") ? o.targetsDir.substring(0, o.targetsDir.length() - 1) : o.targetsDir;
        StringBuilder y = new StringBuilder();
        y.append("# Prometheus configuration for af-metrics, made by: java -jar af-metrics-agent.jar prometheus-config\n")
         .append("# Every JVM started with the agent and targets-dir=").append(dir).append(" writes a file there;\n")
         .append("# Prometheus finds the kernels through those files by itself.\n")
         .append("global:\n")
         .append("  scrape_interval: ").append(o.scrapeInterval).append('\n')
         .append("  scrape_timeout: ").append(timeout(o.scrapeInterval)).append('\n')
         .append("  evaluation_interval: ").append(o.scrapeInterval).append('\n')
         .append("\n")
         .append("rule_files:\n")
         .append("  - ").append(o.rulesFile).append('\n')
         .append("\n")
         .append("scrape_configs:\n")
         .append("  # The kernels' exporters. Their series carry user, session (and notebook) themselves.\n")
         .append("  - job_name: ").append(JOB).append('\n')
         .append("    file_sd_configs:\n")
         .append("      - files: ['").append(dir).append("/*.json']\n")
         .append("        refresh_interval: 1m\n")
         .append("    relabel_configs:\n")
         .append("      # the host the kernel runs on, from the target file\n")
         .append("      - source_labels: [__meta_afmetrics_hostname]\n")
         .append("        target_label: host\n")
         .append("\n");
        String pg = o.pushgateway == null ? "# " : "";
        y.append("  # Final metrics that short-lived JVMs pushed at exit (agent key pushgateway=URL).\n")
         .append("  # honor_labels keeps their job, user and session.\n")
         .append("  ").append(pg).append("- job_name: pushgateway\n")
         .append("  ").append(pg).append("  honor_labels: true\n")
         .append("  ").append(pg).append("  static_configs:\n")
         .append("  ").append(pg).append("    - targets: ['").append(o.pushgateway == null ? "127.0.0.1:9091" : o.pushgateway)
         .append("']\n")
         .append("\n")
         .append("  # JupyterHub's own metrics (needs an API token with the read:metrics scope).\n")
         .append("  # - job_name: jupyterhub\n")
         .append("  #   metrics_path: /hub/metrics\n")
         .append("  #   authorization:\n")
         .append("  #     credentials_file: /etc/prometheus/jupyterhub-token\n")
         .append("  #   static_configs:\n")
         .append("  #     - targets: ['hub:8081']\n")
         .append("\n")
         .append("  # Dask's scheduler (and workers) serve Prometheus metrics on their dashboard port.\n")
         .append("  # - job_name: dask\n")
         .append("  #   metrics_path: /metrics\n")
         .append("  #   static_configs:\n")
         .append("  #     - targets: ['dask-scheduler:8787']\n");
        return y.toString();
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
        StringBuilder y = new StringBuilder();
        y.append("# Recording rules and alerts for af-metrics, made by: java -jar af-metrics-agent.jar prometheus-rules\n")
         .append("# They read the kernels' job (").append(JOB).append(") only: what the Pushgateway keeps from JVMs that\n")
         .append("# have exited is not a running kernel.\n")
         .append("groups:\n")
         .append("  - name: af-metrics-users\n")
         .append("    rules:\n");
        record(y, "user:afmetrics_kernels:count", "count by (user) (afmetrics_agent_info" + k + ")");
        record(y, "user:jupyter_kernels_busy:sum", "sum by (user) (jupyter_cell_running" + k + ")");
        record(y, "user:jupyter_cell_executions:rate5m",
                "sum by (user) (rate(jupyter_cell_executions_total" + k + "[5m]))");
        record(y, "user:jvm_memory_heap_used_bytes:sum", "sum by (user) (jvm_memory_bytes_used" + heap + ")");
        y.append("  - name: af-metrics-facility\n")
         .append("    rules:\n");
        record(y, "facility:afmetrics_users:count", "count(user:afmetrics_kernels:count)");
        record(y, "facility:afmetrics_kernels:sum", "sum(user:afmetrics_kernels:count)");
        record(y, "facility:jupyter_kernels_busy:sum", "sum(user:jupyter_kernels_busy:sum)");
        record(y, "facility:jupyter_cell_executions:rate5m", "sum(user:jupyter_cell_executions:rate5m)");
        record(y, "facility:jvm_memory_heap_used_bytes:sum", "sum(user:jvm_memory_heap_used_bytes:sum)");
        y.append("  - name: af-metrics-alerts\n")
         .append("    rules:\n");
        alert(y, "AfMetricsExporterDown", "up" + k + " == 0", "5m", "warning",
                "Kernel exporter {{ $labels.instance }} is down",
                "Prometheus cannot scrape {{ $labels.instance }}, whose target file is still there: the kernel hangs or"
                        + " died without cleaning up (java -jar af-metrics-agent.jar targets gc DIR removes such files).");
        alert(y, "AfMetricsNotebookJsonErrors",
                "sum by (user, session, source, reason) (increase(afmetrics_json_errors_total" + k + "[15m])) > 0",
                null, "info",
                "Notebook metrics of {{ $labels.user }} cannot be read ({{ $labels.reason }})",
                "Source {{ $labels.source }} of session {{ $labels.session }} failed with {{ $labels.reason }} in the"
                        + " last 15 minutes; its last good values are still exported.");
        alert(y, "AfMetricsKernelIdleHoldingHeap",
                "(time() - jupyter_kernel_last_activity_timestamp_seconds" + k + ") > " + IDLE_HOURS + " * 3600\n"
                        + "  and on (job, instance, node)\n"
                        + "sum by (job, instance, node) (jvm_memory_bytes_used" + heap + ") > " + IDLE_HEAP_BYTES,
                "10m", "info",
                "Kernel of {{ $labels.user }} idle for " + IDLE_HOURS + "h while holding heap",
                "Session {{ $labels.session }} has run no cell for {{ $value | humanizeDuration }} and holds more than "
                        + (IDLE_HEAP_BYTES >> 30) + " GiB of heap; consider shutting it down.");
        return y.toString();
    }

    private static void record(StringBuilder y, String name, String expr) {
        y.append("      - record: ").append(name).append('\n')
         .append("        expr: ").append(expr).append('\n');
    }

    private static void alert(StringBuilder y, String name, String expr, String forDuration, String severity,
                              String summary, String description) {
        y.append("      - alert: ").append(name).append('\n');
        if (expr.contains("\n")) {
            y.append("        expr: |\n");
            for (String line : expr.split("\n")) {
                y.append("          ").append(line).append('\n');
            }
        } else {
            y.append("        expr: ").append(expr).append('\n');
        }
        if (forDuration != null) {
            y.append("        for: ").append(forDuration).append('\n');
        }
        y.append("        labels:\n")
         .append("          severity: ").append(severity).append('\n')
         .append("        annotations:\n")
         .append("          summary: '").append(summary.replace("'", "''")).append("'\n")
         .append("          description: '").append(description.replace("'", "''")).append("'\n");
    }
}
