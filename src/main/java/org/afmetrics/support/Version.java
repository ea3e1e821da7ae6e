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
        // the agent jar's manifest, which the class loader has read already: reading the
        // properties resource from the jar would open it a second time on the way to the first scrape
        Package pkg = Version.class.getPackage();
        String fromManifest = pkg == null ? null : pkg.getImplementationVersion();
        if (fromManifest != null && "af-metrics-agent".equals(pkg.getImplementationTitle())) {
            return fromManifest;
        }
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
