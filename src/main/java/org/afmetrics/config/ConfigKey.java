package org.afmetrics.config;

/**
 * Every setting of the agent. One key has two spellings: {@code key=value} in the agent
 * arguments and {@code AF_METRICS_KEY} in the environment; arguments win over the environment,
 * the environment over the default.
 */
public enum ConfigKey {
    HOST("host", "127.0.0.1", "Address the exporter binds to. Loopback unless you mean otherwise."),
    PORT("port", "8003-8099", "A port, a range A-B (the first free port wins) or 0 (any free port)."),
    JSON("json", "af-metrics.json",
            "Notebook JSON metrics file(s), ';'-separated, globs allowed; relative to the JVM's working directory."),
    LABELS("labels", "", "Extra constant labels on every series: k=v;k2=v2."),
    USER("user", "", "Overrides the detected user (JUPYTERHUB_USER, else the OS user)."),
    SESSION("session", "", "Overrides the detected session (kernel id of the connection file, else the pid)."),
    PREFIX("prefix", "notebook_", "Prefix of metric names made from notebook JSON."),
    JSON_MAX_BYTES("json-max-bytes", "16777216", "Largest notebook JSON file accepted, in bytes."),
    JSON_MAX_SERIES("json-max-series", "20000", "Most series one JSON source may produce."),
    PUSH("push", "true", "Accept POST /notebook-metrics from loopback (true/false)."),
    PUSH_MAX_BYTES("push-max-bytes", "1048576", "Largest body accepted by POST /notebook-metrics, in bytes."),
    MAX_CONNECTIONS("max-connections", "256",
            "Most HTTP connections the exporter keeps open (at most an eighth of the process's fd limit); at the cap"
                    + " a new one closes the longest silent."),
    HOTSPOT("hotspot", "true", "Export the JVM's hotspot metrics (true/false)."),
    ONLY_MAIN("only-main", "",
            "Regex on the JVM's main class (or module/class, or jar path): when set, the agent is active only where"
                    + " it fully matches, even in a JVM the built-in list would skip."),
    SKIP_MAIN("skip-main", "",
            "Regex on the JVM's main class (or module/class, or jar path): where it fully matches, the agent stays"
                    + " inert. Adds to the built-in list (JDK tools, Maven, Gradle, kernel launchers)."),
    AUTH_USER("auth-user", "", "User name required by basic auth on /metrics (needs a password file or hash)."),
    AUTH_PASSWORD_FILE("auth-password-file", "", "File holding the basic-auth password (first line)."),
    AUTH_PASSWORD_HASH("auth-password-hash", "",
            "Salted hash of the basic-auth password, from 'java -jar af-metrics-agent.jar hash-password'."),
    TLS_KEYSTORE("tls-keystore", "", "PKCS#12 keystore with the server key: /metrics is served over HTTPS."),
    TLS_PASSWORD_FILE("tls-password-file", "", "File holding the keystore password (first line)."),
    PUSH_TOKEN_FILE("push-token-file", "",
            "File holding a token: push callers from any address must send 'Authorization: Bearer TOKEN'."),
    TARGETS_DIR("targets-dir", "",
            "Directory for this JVM's Prometheus file_sd target file (written at start, removed at exit)."),
    ADVERTISE_HOST("advertise-host", "",
            "Host written into the target file (default: the bind address, or the host name when bound to all)."),
    PUSHGATEWAY("pushgateway", "", "Pushgateway URL (http://host:port) to push the final metrics to at JVM exit."),
    PUSHGATEWAY_JOB("pushgateway-job", "af-metrics-push", "Job name of the push at exit (grouped by job, user, session, pid)."),
    PUSHGATEWAY_TIMEOUT_MS("pushgateway-timeout-ms", "2000",
            "Longest time, in milliseconds, the push at exit may hold up the JVM's exit."),
    CELL_HOOKS("cell-hooks", "true",
            "Hook the cells of JVM kernels (jupyter-jvm-basekernel, JJava, Kotlin) for the jupyter_cell_* metrics:"
                    + " true (where a kernel's jar or classes are on the class path or the main is a known kernel's), false,"
                    + " or force (any JVM: kernels repackaged or loading their classes through a class loader of their own)."),
    CELL_RESOURCES("cell-resources", "true",
            "Measure each cell's CPU time, allocated bytes and GC time (true/false); false saves the thread CPU clock reads per cell.");

    private final String key;
    private final String defaultValue;
    private final String help;

    ConfigKey(String key, String defaultValue, String help) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.help = help;
    }

    public String key() {
        return key;
    }

    public String envName() {
        return "AF_METRICS_" + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String help() {
        return help;
    }

    public static ConfigKey byKey(String key) {
        for (ConfigKey k : values()) {
            if (k.key.equals(key)) {
                return k;
            }
        }
        return null;
    }
}
