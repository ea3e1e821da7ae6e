package org.afmetrics.config;

/** The {@code --help} text: usage, commands, and every configuration key with its env name. */
public final class HelpText {
    private HelpText() {
    }

    public static String render(String version) {
        StringBuilder sb = new StringBuilder();
        sb.append("af-metrics-agent ").append(version).append(" - Prometheus metrics for JVM notebook kernels\n\n")
          .append("As an agent:  java -javaagent:af-metrics-agent.jar[=key=value,key=value...] ...\n")
          .append("              (or set AF_METRICS_<KEY> in the environment; arguments win over it)\n")
          .append("As a tool:    java -jar af-metrics-agent.jar COMMAND\n\n")
          .append("Commands:\n")
          .append("  --help           this text\n")
          .append("  --version        the agent's version\n")
          .append("  check FILE       convert a notebook JSON metrics file and print the exposition,\n")
          .append("                   or its errors (exit status 1)\n")
          .append("  attach PID [ARGS]  load the agent into a running JVM (same keys as -javaagent)\n")
          .append("  status [--targets-dir DIR] [--json]\n")
          .append("                   the agents on this host: pid, user, session, kernel, URL, JSON sources\n")
          .append("  hash-password    read a password (first line of standard input) and print its salted\n")
          .append("                   hash for auth-password-hash\n")
          .append("  demo             run the agent here with a simulated processing loop that rewrites\n")
          .append("                   a JSON metrics file every second; Ctrl-C stops it\n")
          .append("  kernelspec list|install|remove\n")
          .append("                   the kernelspecs Jupyter sees; put the agent into (or take it out\n")
          .append("                   of) their JAVA_TOOL_OPTIONS: install [NAME...|--all-jvm]\n")
          .append("                   [--agent-args ARGS] [--jar PATH], remove [NAME...]\n")
          .append("  targets list|gc DIR\n")
          .append("                   the scrape target files in DIR (targets-dir); gc removes those\n")
          .append("                   of processes gone on this host\n")
          .append("  prometheus-config [--targets-dir DIR] [--scrape-interval 15s] [--pushgateway HOST:PORT]\n")
          .append("                   print a prometheus.yml: a file_sd job over the targets directory\n")
          .append("  prometheus-rules print rules.yml: per-user and facility recording rules, alerts\n")
          .append("  dashboard        print the Grafana dashboard JSON (data source as a variable)\n\n")
          .append("Keys (agent argument / environment variable / default):\n");
        for (ConfigKey k : ConfigKey.values()) {
            sb.append(String.format("  %-16s %-28s %s%n", k.key(), k.envName(),
                    k.defaultValue().isEmpty() ? "(none)" : k.defaultValue()));
            sb.append(String.format("  %-16s %s%n", "", k.help()));
        }
        return sb.toString();
    }
}
