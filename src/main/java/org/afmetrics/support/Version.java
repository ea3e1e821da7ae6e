package org.afmetrics.support;

import java.io.InputStream;
import java.util.Properties;

/** The agent's own version, as built. */
public final class Version {
    private static final String VERSION = load();

    private Version() {
    }

    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.startsWith("$")) {
                    return v;
                }
            }
        } catch (Exception ignored) {
            // fall through
        }
        return "unknown";
    }
}
