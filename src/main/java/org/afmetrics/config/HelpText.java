package org.afmetrics.config;

/** The agent's keys for {@code --help}: every configuration key with its environment name and default. */
public final class HelpText {
    private HelpText() {
    }

    public static String keys() {
        StringBuilder sb = new StringBuilder();
        sb.append("\nAgent keys (in -javaagent:JAR=key=value,... and AGENT-ARGS / environment variable / default):\n");
        for (ConfigKey k : ConfigKey.values()) {
            sb.append(String.format("  %-16s %-28s %s%n", k.key(), k.envName(),
                    k.defaultValue().isEmpty() ? "(none)" : k.defaultValue()));
            sb.append(String.format("  %-16s %s%n", "", k.help()));
        }
        return sb.toString();
    }
}
