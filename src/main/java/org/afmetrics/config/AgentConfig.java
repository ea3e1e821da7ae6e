package org.afmetrics.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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
    private final String cellHooks;

    /** {@code cell-hooks} values: off, on where a kernel can appear, on in any JVM. */
    public static final String CELL_HOOKS_OFF = "false";
    public static final String CELL_HOOKS_ON = "true";
    public static final String CELL_HOOKS_FORCE = "force";

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
            for (String part : agentArgs.split(",")) {
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
        static final Parse<String> CELL_HOOKS = new Parse<>(6);

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

    static String parseCellHooks(String text) {
        if (text.trim().equalsIgnoreCase(CELL_HOOKS_FORCE)) {
            return CELL_HOOKS_FORCE;
        }
        try {
            return parseBoolean(text) ? CELL_HOOKS_ON : CELL_HOOKS_OFF;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + shorten(text) + "' is not true, false or force");
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
    public String get(ConfigKey key) {
        String v = raw.get(key);
        return v != null ? v : key.defaultValue();
    }

    /** Whether the argument or the environment set this key (to a value that parsed). */
    public boolean isSet(ConfigKey key) {
        String v = raw.get(key);
        return v != null && !v.isEmpty();
    }

    public boolean flag(ConfigKey key) {
        try {
            return parseBoolean(get(key));
        } catch (IllegalArgumentException e) {
            return parseBoolean(key.defaultValue());
        }
    }

    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    public PortRange ports() {
        return ports;
    }

    public Map<String, String> labels() {
        return labels;
    }

    public long jsonMaxBytes() {
        return jsonMaxBytes;
    }

    public int jsonMaxSeries() {
        return jsonMaxSeries;
    }

    public long pushMaxBytes() {
        return pushMaxBytes;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public long pushTimeoutMs() {
        return pushTimeoutMs;
    }

    /** {@link #CELL_HOOKS_OFF}, {@link #CELL_HOOKS_ON} or {@link #CELL_HOOKS_FORCE}. */
    public String cellHooks() {
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
