package org.afmetrics.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The agent's settings, resolved from agent arguments, then environment, then defaults.
 * Parsing never throws: a bad key or value becomes a warning and the default stands.
 */
public final class AgentConfig {
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final Map<ConfigKey, String> raw;
    private final List<String> warnings;
    private final PortRange ports;
    private final Map<String, String> labels;
    private final long jsonMaxBytes;
    private final int jsonMaxSeries;
    private final long pushTimeoutMs;

    private AgentConfig(Map<ConfigKey, String> raw, List<String> warnings) {
        this.raw = raw;
        this.warnings = warnings;
        this.ports = typed(ConfigKey.PORT, PortRange::parse);
        this.labels = typed(ConfigKey.LABELS, AgentConfig::parseLabels);
        this.jsonMaxBytes = typed(ConfigKey.JSON_MAX_BYTES, t -> positiveLong(t));
        this.jsonMaxSeries = typed(ConfigKey.JSON_MAX_SERIES, t -> (int) Math.min(Integer.MAX_VALUE, positiveLong(t)));
        typed(ConfigKey.PUSH, AgentConfig::parseBoolean);
        typed(ConfigKey.HOTSPOT, AgentConfig::parseBoolean);
        this.pushTimeoutMs = typed(ConfigKey.PUSHGATEWAY_TIMEOUT_MS, t -> positiveLong(t));
        typed(ConfigKey.CELL_HOOKS, AgentConfig::parseBoolean);
        if (!LABEL_NAME.matcher(get(ConfigKey.PREFIX)).matches() && !get(ConfigKey.PREFIX).isEmpty()) {
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
        return parse(agentArgs, System::getenv);
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
            if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
                throw new IllegalArgumentException("'" + shorten(name) + "' is not a valid label name");
            }
            out.put(name, item.substring(eq + 1).trim());
        }
        return Collections.unmodifiableMap(out);
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

    public long pushTimeoutMs() {
        return pushTimeoutMs;
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
