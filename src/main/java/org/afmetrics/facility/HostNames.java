package org.afmetrics.facility;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/** This machine's name, and the host:port Prometheus should use to reach the exporter. */
public final class HostNames {
    private HostNames() {
    }

    /**
     * The host name, read from the kernel where it can be (no name lookup, so nothing leaves the
     * machine), else from the Java runtime.
     */
    public static String local() {
        try {
            String h = new String(Files.readAllBytes(Paths.get("/proc/sys/kernel/hostname")), StandardCharsets.UTF_8).trim();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** {@code host:port} for the target file: the advertised host, else the bound address, else the host name. */
    public static String target(String advertiseHost, InetSocketAddress bound) {
        String host;
        if (advertiseHost != null && !advertiseHost.trim().isEmpty()) {
            host = advertiseHost.trim();
        } else if (bound.getAddress().isAnyLocalAddress()) {
            host = local();
        } else {
            host = bound.getAddress().getHostAddress();
        }
        boolean v6 = host.indexOf(':') >= 0 && !host.startsWith("[");
        if (bound.getAddress() instanceof Inet6Address && host.indexOf('%') >= 0) {
            host = host.substring(0, host.indexOf('%'));
        }
        return (v6 ? "[" + host + "]" : host) + ":" + bound.getPort();
    }
}
