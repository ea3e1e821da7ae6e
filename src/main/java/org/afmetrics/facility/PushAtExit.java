package org.afmetrics.facility;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.PushGateway;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.LinkedHashMap;
import java.util.Map;
import org.afmetrics.identity.Identity;

/**
 * Pushes a registry's metrics to a Pushgateway, grouped by job, user, session and this JVM's pid
 * (two JVMs of one session, e.g. two short workers a notebook starts, leave two groups), so a JVM that
 * lives shorter than a scrape interval (a batch job, a Dask client) still leaves its numbers.
 * Every connection has a timeout, so a dead gateway cannot hold the JVM's exit.
 */
public final class PushAtExit {
    private final URL gateway;
    private final String job;
    private final int timeoutMs;

    public PushAtExit(String gatewayUrl, String job, long timeoutMs) throws MalformedURLException {
        String u = gatewayUrl.trim();
        if (!u.contains("://")) {
            u = "http://" + u;
        }
        URL url = new URL(u);
        if (!url.getProtocol().equals("http") && !url.getProtocol().equals("https")) {
            throw new MalformedURLException("pushgateway must be an http(s) URL, not " + url.getProtocol());
        }
        this.gateway = url;
        this.job = job;
        this.timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMs));
    }

    /**
     * The grouping key besides the job: the identity's user and session, and the pid of the JVM,
     * so no JVM's push replaces another's.
     */
    public static Map<String, String> groupingKey(Identity identity, long pid) {
        Map<String, String> key = new LinkedHashMap<>();
        key.put("user", identity.user());
        key.put("session", identity.session());
        key.put("pid", Long.toString(pid));
        return key;
    }

    /** Replaces this group's metrics on the gateway with the registry's current ones. */
    public void push(CollectorRegistry registry, Identity identity) throws IOException {
        PushGateway pg = new PushGateway(gateway);
        pg.setConnectionFactory(url -> {
            HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
            c.setConnectTimeout(timeoutMs);
            c.setReadTimeout(timeoutMs);
            return c;
        });
        pg.push(registry, job, groupingKey(identity, ProcessHandle.current().pid()));
    }

    @Override
    public String toString() {
        return "push to " + gateway;
    }
}
