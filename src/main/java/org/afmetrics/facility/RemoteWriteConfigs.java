package org.afmetrics.facility;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Prometheus configurations of a facility larger than one host: on every node a Prometheus in
 * agent mode that finds the node's kernels through their target files and forwards what it scrapes
 * by remote_write; in the centre one Prometheus (or anything speaking remote_write: Thanos, Mimir,
 * VictoriaMetrics) that receives it and runs the rules. The agent keeps a write-ahead log, so the
 * samples scraped while the centre is away are sent when it is back.
 *
 * <p>Secrets are never written into the configuration: the remote_write password and TLS keys are
 * named as files, which Prometheus reads.
 */
public final class RemoteWriteConfigs {
    /** The label every series of a node agent carries, naming the node. */
    public static final String NODE_LABEL = "node";

    private RemoteWriteConfigs() {
    }

    /** The settings of a node agent's configuration. */
    public static final class NodeOptions {
        public String targetsDir = PrometheusAssets.DEFAULT_TARGETS_DIR;
        public String scrapeInterval = "15s";
        /** The node's name, in the {@code node} label; null for the host name. */
        public String node;
        /** Where to send: the centre's {@code http(s)://host:port/api/v1/write}. */
        public String remoteWriteUrl;
        public String username;
        public String passwordFile;
        public String caFile;
        public String certFile;
        public String keyFile;

        /** Throws with the reason when the settings cannot make a working configuration. */
        public void check() {
            if (remoteWriteUrl == null || remoteWriteUrl.isEmpty()) {
                throw new IllegalArgumentException("--mode node needs --remote-write URL");
            }
            URI uri;
            try {
                uri = new URI(remoteWriteUrl);
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("--remote-write '" + remoteWriteUrl + "' is not a URL");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException("--remote-write '" + remoteWriteUrl
                        + "' is not an http(s)://host:port/path URL");
            }
            if ((username == null) != (passwordFile == null)) {
                throw new IllegalArgumentException("basic auth needs both --remote-write-user and"
                        + " --remote-write-password-file");
            }
            if ((certFile == null) != (keyFile == null)) {
                throw new IllegalArgumentException("a client certificate needs both --remote-write-cert-file and"
                        + " --remote-write-key-file");
            }
            if (node != null && node.trim().isEmpty()) {
                throw new IllegalArgumentException("--node must not be empty");
            }
        }
    }

    /** A node agent's {@code prometheus.yml}; run with {@code --enable-feature=agent}. */
    public static String nodeAgent(NodeOptions o) {
        o.check();
        String node = o.node == null ? HostNames.local() : o.node.trim();
        Map<String, Object> remoteWrite = map("url", o.remoteWriteUrl);
        if (o.username != null) {
            remoteWrite.put("basic_auth", map("username", o.username, "password_file", o.passwordFile));
        }
        Map<String, Object> tls = new LinkedHashMap<>();
        if (o.caFile != null) {
            tls.put("ca_file", o.caFile);
        }
        if (o.certFile != null) {
            tls.put("cert_file", o.certFile);
            tls.put("key_file", o.keyFile);
        }
        if (!tls.isEmpty()) {
            remoteWrite.put("tls_config", tls);
        }
        Map<String, Object> config = map(
                "global", map("scrape_interval", o.scrapeInterval,
                        "scrape_timeout", PrometheusAssets.timeout(o.scrapeInterval),
                        "external_labels", map(NODE_LABEL, node)),
                "scrape_configs", List.of(kernelJob(o.targetsDir)),
                "remote_write", List.of(remoteWrite));
        return comment("Node agent configuration for af-metrics, made by: java -jar af-metrics-agent.jar"
                + " prometheus-config --mode node\n"
                + "Run it with Prometheus in agent mode:\n"
                + "  prometheus --enable-feature=agent --config.file=THIS --storage.agent.path=DIR\n"
                + "It scrapes the kernels of this node (their target files in the targets directory), labels every\n"
                + "series node=" + node + ", and forwards them by remote_write. Its write-ahead log keeps the samples\n"
                + "while the receiver is away and sends them when it is back.")
                + render(config);
    }

    /** The central server's {@code prometheus.yml}: the rules, no kernel job of its own. */
    public static String central(PrometheusAssets.ConfigOptions o) {
        List<Object> jobs = new ArrayList<>();
        if (o.pushgateway != null) {
            jobs.add(map("job_name", "pushgateway", "honor_labels", true,
                    "static_configs", List.of(map("targets", List.of(o.pushgateway)))));
        }
        Map<String, Object> config = map(
                "global", map("scrape_interval", o.scrapeInterval,
                        "scrape_timeout", PrometheusAssets.timeout(o.scrapeInterval),
                        "evaluation_interval", o.scrapeInterval),
                "rule_files", List.of(PrometheusAssets.globEscaped(o.rulesFile)),
                "scrape_configs", jobs);
        return comment("Central Prometheus configuration for af-metrics, made by: java -jar af-metrics-agent.jar"
                + " prometheus-config --mode central\n"
                + "The node agents (prometheus-config --mode node) send every kernel's series here by remote_write,\n"
                + "so this server MUST run with the remote-write receiver on:\n"
                + "  prometheus --web.enable-remote-write-receiver --config.file=THIS ...\n"
                + "(they write to http://THIS-HOST:9090/api/v1/write). It scrapes no kernel itself; the rules and\n"
                + "the dashboard read the forwarded series, which carry a node label.")
                + render(config);
    }

    /** The kernels' job, the same as in the single-server configuration: file_sd over the targets directory. */
    private static Map<String, Object> kernelJob(String targetsDir) {
        PrometheusAssets.ConfigOptions single = new PrometheusAssets.ConfigOptions();
        single.targetsDir = targetsDir;
        for (PrometheusAssets.ScrapeJob job : PrometheusAssets.scrapeJobs(single)) {
            if (PrometheusAssets.JOB.equals(job.config.get("job_name"))) {
                return job.config;
            }
        }
        throw new IllegalStateException("no " + PrometheusAssets.JOB + " job");
    }

    private static String comment(String text) {
        return YamlWriter.comment(text, "");
    }

    private static String render(Map<String, Object> tree) {
        return YamlWriter.dump(tree);
    }

    private static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
