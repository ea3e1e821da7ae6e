package org.afmetrics.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.afmetrics.kernel.CellHooksMode;

/**
 * The agent's settings, resolved from agent arguments, then environment, then defaults.
 * Parsing never throws: a bad key or value becomes a warning and the default stands.
 * <p>
 * Parsing runs in premain, before the host's main: it uses no lambdas and no regular
 * expressions, whose first use in a JVM costs milliseconds of linking.
 */
public final class AgentConfig {

    private final Map<ConfigKey, String> raw;
    private final List<String> warnings;
    private final PortRange ports;
    private final Map<String, String> labels;
    private final long jsonMaxBytes;
    private final int jsonMaxSeries;
    private final long pushMaxBytes;
    private final int maxConnections;
    private final long pushTimeoutMs;
    private final CellHooksMode cellHooks;
    private final java.util.regex.Pattern onlyMain;
    private final java.util.regex.Pattern skipMain;


    private AgentConfig(Map<ConfigKey, String> raw, List<String> warnings) {
        this.raw = raw;
        this.warnings = warnings;
        this.ports = typed(ConfigKey.PORT, Parse.PORTS);
        this.labels = typed(ConfigKey.LABELS, Parse.LABELS);
        this.jsonMaxBytes = typed(ConfigKey.JSON_MAX_BYTES, Parse.POSITIVE_LONG);
        this.jsonMaxSeries = typed(ConfigKey.JSON_MAX_SERIES, Parse.POSITIVE_INT);
        typed(ConfigKey.PUSH, Parse.BOOLEAN);
        this.pushMaxBytes = typed(ConfigKey.PUSH_MAX_BYTES, Parse.POSITIVE_LONG);
        this.maxConnections = typed(ConfigKey.MAX_CONNECTIONS, Parse.POSITIVE_INT);
        typed(ConfigKey.HOTSPOT, Parse.BOOLEAN);
        this.pushTimeoutMs = typed(ConfigKey.PUSHGATEWAY_TIMEOUT_MS, Parse.POSITIVE_LONG);
        this.cellHooks = typed(ConfigKey.CELL_HOOKS, Parse.CELL_HOOKS);
        typed(ConfigKey.CELL_RESOURCES, Parse.BOOLEAN);
        this.onlyMain = isSet(ConfigKey.ONLY_MAIN) ? typed(ConfigKey.ONLY_MAIN, Parse.REGEX) : null;
        this.skipMain = isSet(ConfigKey.SKIP_MAIN) ? typed(ConfigKey.SKIP_MAIN, Parse.REGEX) : null;
        if (!isLabelName(get(ConfigKey.PREFIX)) && !get(ConfigKey.PREFIX).isEmpty()) {
            warnings.add("prefix '" + get(ConfigKey.PREFIX) + "' is not a valid metric name prefix; using '"
                    + ConfigKey.PREFIX.defaultValue() + "'");
            raw.put(ConfigKey.PREFIX, ConfigKey.PREFIX.defaultValue());
        }
    }

    /** Settings from agent arguments ({@code k=v,k2=v2}) over the given environment. */
    public static AgentConfig parse(String agentArgs, Function<String, String> env) {
        Map<ConfigKey, String> raw = new EnumMap<>(ConfigKey.class);
        List<String> warnings = new ArrayList<>();
        for (ConfigKey key : ConfigKey.values()) {
            String value = env.apply(key.envName());
            if (value != null) {
                raw.put(key, value.trim());
            }
        }
        if (agentArgs != null && !agentArgs.trim().isEmpty()) {
            for (String part : splitArguments(agentArgs)) {
                String item = part.trim();
                if (item.isEmpty()) {
                    continue;
                }
                int eq = item.indexOf('=');
                String name = (eq < 0 ? item : item.substring(0, eq)).trim();
                ConfigKey key = ConfigKey.byKey(name);
                if (key == null) {
                    warnings.add("unknown key '" + shorten(name) + "' ignored (java -jar af-metrics-agent.jar --help lists the keys)");
                } else if (eq < 0) {
                    warnings.add("key '" + name + "' has no value (write " + name + "=VALUE); ignored");
                } else if (item.substring(eq + 1).trim().isEmpty()) {
                    warnings.add("key '" + name + "' has an empty value; ignored");
                } else {
                    raw.put(key, item.substring(eq + 1).trim());
                }
            }
        }
        return new AgentConfig(raw, warnings);
    }

    /**
     * The {@code k=v} items of the agent arguments: split at each comma, except one written
     * backslash-comma, which stays in the value as a plain comma (a regex such as
     * {@code a{1,3}} is written {@code a{1\,3}}). No other backslash is touched, so a regex
     * keeps its {@code \.} and {@code \d}.
     */
    static List<String> splitArguments(String args) {
        List<String> items = new ArrayList<>();
        StringBuilder item = new StringBuilder();
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (c == '\\' && i + 1 < args.length() && args.charAt(i + 1) == ',') {
                item.append(',');
                i++;
            } else if (c == ',') {
                items.add(item.toString());
                item.setLength(0);
            } else {
                item.append(c);
            }
        }
        items.add(item.toString());
        return items;
    }

    public static AgentConfig fromEnvironment(String agentArgs) {
        return parse(agentArgs, Parse.ENVIRONMENT);
    }

    private <T> T typed(ConfigKey key, Function<String, T> parser) {
        String value = raw.get(key);
        if (value != null) {
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                warnings.add(key.key() + ": " + e.getMessage() + "; using the default '" + key.defaultValue() + "'");
                raw.remove(key);
            }
        }
        return parser.apply(key.defaultValue());
    }

    static Map<String, String> parseLabels(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : text.split(";")) {
            String item = part.trim();
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + shorten(item) + "' is not k=v");
            }
            String name = item.substring(0, eq).trim();
            if (!isLabelName(name) || name.startsWith("__")) {
                throw new IllegalArgumentException("'" + shorten(name) + "' is not a valid label name");
            }
            out.put(name, item.substring(eq + 1).trim());
        }
        return Collections.unmodifiableMap(out);
    }

    /** {@code [a-zA-Z_][a-zA-Z0-9_]*} */
    static boolean isLabelName(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            if (!letter && (i == 0 || c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    /** The value parsers, as one small class rather than a lambda each. */
    private static final class Parse<T> implements Function<String, T> {
        static final Parse<PortRange> PORTS = new Parse<>(0);
        static final Parse<Map<String, String>> LABELS = new Parse<>(1);
        static final Parse<Long> POSITIVE_LONG = new Parse<>(2);
        static final Parse<Integer> POSITIVE_INT = new Parse<>(3);
        static final Parse<Boolean> BOOLEAN = new Parse<>(4);
        static final Parse<String> ENVIRONMENT = new Parse<>(5);
        static final Parse<CellHooksMode> CELL_HOOKS = new Parse<>(6);
        static final Parse<java.util.regex.Pattern> REGEX = new Parse<>(7);

        private final int kind;

        private Parse(int kind) {
            this.kind = kind;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T apply(String t) {
            switch (kind) {
                case 0: return (T) PortRange.parse(t);
                case 1: return (T) parseLabels(t);
                case 2: return (T) Long.valueOf(positiveLong(t));
                case 3: return (T) Integer.valueOf((int) Math.min(Integer.MAX_VALUE, positiveLong(t)));
                case 4: return (T) Boolean.valueOf(parseBoolean(t));
                case 6: return (T) parseCellHooks(t);
                case 7: return (T) parseRegex(t);
                default: return (T) System.getenv(t);
            }
        }
    }

    static boolean parseBoolean(String text) {
        switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true": case "yes": case "on": case "1":
                return true;
            case "false": case "no": case "off": case "0":
                return false;
            default:
                throw new IllegalArgumentException("'" + shorten(text) + "' is not true or false");
        }
    }

    static CellHooksMode parseCellHooks(String text) {
        if (text.trim().equalsIgnoreCase(CellHooksMode.FORCE.text)) {
            return CellHooksMode.FORCE;
        }
        try {
            return parseBoolean(text) ? CellHooksMode.ON : CellHooksMode.OFF;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + shorten(text) + "' is not true, false or force");
        }
    }

    /** A regex, compiled only where a key is set (the first regex costs a JVM milliseconds of linking). */
    static java.util.regex.Pattern parseRegex(String text) {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return java.util.regex.Pattern.compile(text);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("'" + shorten(text) + "' is not a valid regular expression (" + e.getDescription()
                    + " at index " + e.getIndex() + ")");
        }
    }

    private static long positiveLong(String text) {
        try {
            long v = Long.parseLong(text.trim());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("'" + shorten(text) + "' is not a positive whole number");
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** The effective value: the argument, else the environment, else the default. */
    String get(ConfigKey key) {
        String v = raw.get(key);
        return v != null ? v : key.defaultValue();
    }

    /** Whether the argument or the environment set this key (to a value that parsed). */
    boolean isSet(ConfigKey key) {
        String v = raw.get(key);
        return v != null && !v.isEmpty();
    }

    private boolean flag(ConfigKey key) {
        try {
            return parseBoolean(get(key));
        } catch (IllegalArgumentException e) {
            return parseBoolean(key.defaultValue());
        }
    }

    /** The address to bind ({@code host}). */
    public String host() {
        return get(ConfigKey.HOST);
    }

    /** The prefix of notebook metric names ({@code prefix}). */
    public String prefix() {
        return get(ConfigKey.PREFIX);
    }

    /** Whether pushes are taken ({@code push}). */
    public boolean push() {
        return flag(ConfigKey.PUSH);
    }

    /** Whether the JVM's hotspot metrics are exported ({@code hotspot}). */
    public boolean hotspot() {
        return flag(ConfigKey.HOTSPOT);
    }

    /** Whether each cell's CPU, allocation and GC time are measured ({@code cell-resources}). */
    public boolean cellResources() {
        return flag(ConfigKey.CELL_RESOURCES);
    }

    /** The {@code user} given, overriding the one detected. */
    public Optional<String> user() {
        return optional(ConfigKey.USER);
    }

    /** The {@code session} given, overriding the one detected. */
    public Optional<String> session() {
        return optional(ConfigKey.SESSION);
    }

    /** The basic-auth user of /metrics ({@code auth-user}); with it, exactly one of the two password keys. */
    public Optional<String> authUser() {
        return optional(ConfigKey.AUTH_USER);
    }

    /** A file whose first line is the basic-auth password ({@code auth-password-file}). */
    public Optional<String> authPasswordFile() {
        return optional(ConfigKey.AUTH_PASSWORD_FILE);
    }

    /** The basic-auth password as a salted hash ({@code auth-password-hash}). */
    public Optional<String> authPasswordHash() {
        return optional(ConfigKey.AUTH_PASSWORD_HASH);
    }

    /** A PKCS#12 keystore: /metrics over HTTPS on the JDK's server ({@code tls-keystore}). */
    public Optional<String> tlsKeystore() {
        return optional(ConfigKey.TLS_KEYSTORE);
    }

    /** The keystore's password, in a file ({@code tls-password-file}). */
    public Optional<String> tlsPasswordFile() {
        return optional(ConfigKey.TLS_PASSWORD_FILE);
    }

    /** A file holding the push token callers from any address must send ({@code push-token-file}). */
    public Optional<String> pushTokenFile() {
        return optional(ConfigKey.PUSH_TOKEN_FILE);
    }

    /** Where this JVM's Prometheus target file goes ({@code targets-dir}). */
    public Optional<String> targetsDir() {
        return optional(ConfigKey.TARGETS_DIR);
    }

    /** The host written into the target file, when not the bound one ({@code advertise-host}). */
    public Optional<String> advertiseHost() {
        return optional(ConfigKey.ADVERTISE_HOST);
    }

    /** The Pushgateway to push the final metrics to at exit ({@code pushgateway}). */
    public Optional<String> pushgateway() {
        return optional(ConfigKey.PUSHGATEWAY);
    }

    public String pushgatewayJob() {
        return get(ConfigKey.PUSHGATEWAY_JOB);
    }

    /** Whether the agent serves in a JVM with this main ({@link HostSelection#mainOf}) under these settings. */
    public boolean servesIn(String main) {
        if (skipMain != null && skipMain.matcher(main).matches()) {
            return false;
        }
        if (onlyMain != null) {
            return onlyMain.matcher(main).matches();
        }
        return !HostSelection.isBuiltInNonKernel(main);
    }

    /** {@code only-main}, compiled (and checked) when the settings were read; empty when unset. */
    public Optional<java.util.regex.Pattern> onlyMain() {
        return Optional.ofNullable(onlyMain);
    }

    /** {@code skip-main}, likewise. */
    public Optional<java.util.regex.Pattern> skipMain() {
        return Optional.ofNullable(skipMain);
    }

    /** Whether {@code json} was given (the demo writes its own file otherwise). */
    public boolean jsonGiven() {
        return isSet(ConfigKey.JSON);
    }

    private Optional<String> optional(ConfigKey key) {
        return isSet(key) ? Optional.of(get(key)) : Optional.empty();
    }

    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /** The port, or the range whose first free port is bound ({@code port}). */
    public PortRange ports() {
        return ports;
    }

    /** The constant labels added to every series ({@code labels}), in the order given. */
    public Map<String, String> labels() {
        return labels;
    }

    /** Largest JSON file read, in bytes ({@code json-max-bytes}). */
    public long jsonMaxBytes() {
        return jsonMaxBytes;
    }

    /** Most series one source may give ({@code json-max-series}). */
    public int jsonMaxSeries() {
        return jsonMaxSeries;
    }

    /** Largest push body, in bytes ({@code push-max-bytes}). */
    public long pushMaxBytes() {
        return pushMaxBytes;
    }

    /** Most HTTP connections kept open ({@code max-connections}), before the fd-limit and heap bounds. */
    public int maxConnections() {
        return maxConnections;
    }

    /** How long the exit actions may hold up the exit, in milliseconds ({@code pushgateway-timeout-ms}). */
    public long pushTimeoutMs() {
        return pushTimeoutMs;
    }

    /** {@code cell-hooks}: off, on where a kernel can appear, on in any JVM. */
    public CellHooksMode cellHooks() {
        return cellHooks;
    }

    public List<String> jsonSources() {
        List<String> out = new ArrayList<>();
        for (String s : get(ConfigKey.JSON).split(";")) {
            if (!s.trim().isEmpty()) {
                out.add(s.trim());
            }
        }
        return out;
    }
}
