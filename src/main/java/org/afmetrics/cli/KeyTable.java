package org.afmetrics.cli;

import java.util.ArrayList;
import java.util.List;
import org.afmetrics.config.ConfigKey;

/**
 * The agent's keys at the foot of {@code --help}: key, environment variable and default in
 * columns as wide as their longest entry, each key's help below, wrapped at the usage width.
 * A default too long for its line goes below, on a line of its own.
 */
final class KeyTable {
    private KeyTable() {
    }

    static String render(int width) {
        int keyWidth = 0;
        int envWidth = 0;
        for (ConfigKey k : ConfigKey.values()) {
            keyWidth = Math.max(keyWidth, k.key().length());
            envWidth = Math.max(envWidth, k.envName().length());
        }
        String indent = "      ";
        StringBuilder sb = new StringBuilder();
        sb.append("\nAgent keys (in -javaagent:JAR=key=value,... and AGENT-ARGS / environment variable / default):\n");
        for (ConfigKey k : ConfigKey.values()) {
            String def = k.defaultValue().isEmpty() ? "(none)" : k.defaultValue();
            String head = String.format("  %-" + keyWidth + "s  %-" + envWidth + "s  ", k.key(), k.envName());
            if (head.length() + def.length() <= width) {
                sb.append(head).append(def).append('\n');
            } else {
                sb.append(head.replaceFirst("\\s+$", "")).append('\n');
                for (String line : wrap("default: " + def, width - indent.length())) {
                    sb.append(indent).append(line).append('\n');
                }
            }
            for (String line : wrap(k.help(), width - indent.length())) {
                sb.append(indent).append(line).append('\n');
            }
        }
        return sb.toString();
    }

    /** The text in lines of at most {@code width} characters, broken at spaces (a longer word stands alone). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split("\\s+")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }
}
