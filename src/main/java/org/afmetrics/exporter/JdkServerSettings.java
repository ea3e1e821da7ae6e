package org.afmetrics.exporter;

/**
 * The one JVM-wide setting the agent makes, and only with TLS (when the JDK's HttpsServer serves):
 * {@code sun.net.httpserver.nodelay=true}, unless the host has set it either way. Without it the JDK server's keep-alive answers wait ~40 ms for the
 * client's delayed ACK (Nagle); with it the JDK's HTTP servers in this JVM (the host's too, if it
 * runs any) set TCP_NODELAY on their connections and nothing else changes. The JDK reads it once,
 * when its server classes initialise, so it is set at agent start.
 */
public final class JdkServerSettings {
    static final String NODELAY = "sun.net.httpserver.nodelay";

    private JdkServerSettings() {
    }

    /** Sets TCP_NODELAY for the JDK's HTTP servers unless the host chose; {@code -Dsun.net.httpserver.nodelay=false} opts out. */
    public static void noDelayUnlessSet() {
        try {
            if (System.getProperty(NODELAY) == null) {
                System.setProperty(NODELAY, "true");
            }
        } catch (SecurityException ignored) {
            // a security manager forbids it: keep-alive scrapes are slower, nothing else
        }
    }
}
