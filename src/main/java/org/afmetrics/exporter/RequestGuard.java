package org.afmetrics.exporter;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.afmetrics.support.InternalErrors;

/**
 * The first filter of every context. The JDK server has parsed the request head and already
 * refused the worst of it (Content-Length with Transfer-Encoding, two Content-Lengths, a space
 * before a colon, an unknown Transfer-Encoding); this refuses, with 400, what it lets through
 * and a proxy or a browser might read otherwise: a Content-Length that is not plain digits, a
 * Transfer-Encoding other than exactly {@code chunked}. While the server is bound to a loopback
 * address only requests naming a loopback host are served, as Jupyter's own server does, so a
 * web page that rebinds its DNS name to 127.0.0.1 cannot read the metrics; an absolute request
 * target ({@code GET http://host/metrics}) names a host too, checked the same way. A header
 * name or value holding NUL or a bare CR is refused with 400. Each context serves its own path
 * exactly (404 for {@code /metricsXYZ}: the JDK matches contexts by prefix). It also starts the
 * exchange's body (or response) deadline, and turns any error of the handler into a closed
 * connection and a count, never a stack trace.
 */
final class RequestGuard extends Filter {
    private final boolean loopbackOnly;

    RequestGuard(InetAddress bound) {
        this.loopbackOnly = bound.isLoopbackAddress();
    }

    @Override
    public String description() {
        return "af-metrics request checks";
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        try {
            Headers h = exchange.getRequestHeaders();
            URI target = exchange.getRequestURI();
            String refusal = malformed(h);
            if (refusal == null) {
                refusal = targetRefusal(target);
            }
            if (refusal != null) {
                exchange.getResponseHeaders().set("Connection", "close");
                refuse(exchange, 400, refusal);
                return;
            }
            if (loopbackOnly && (!isLoopbackHost(h.get("Host"))
                    || (target.isAbsolute() && !isLoopbackHost(List.of(authority(target)))))) {
                refuse(exchange, 403, "this exporter answers requests for loopback host names only");
                return;
            }
            if (!exactPath(exchange.getHttpContext().getPath(), target)) {
                refuse(exchange, 404, "no such page on this exporter");
                return;
            }
            DeadlineExecutor.enter(hasBody(h) ? DeadlineExecutor.Phase.BODY : DeadlineExecutor.Phase.RESPONSE);
            chain.doFilter(exchange);
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            InternalErrors.count("http", e);
            // the JDK server closes the connection of an exchange that ends in an IOException
            throw new IOException("request dropped after an internal error");
        }
    }

    /**
     * Whether the request is for the context's own path: the JDK matches a context by prefix
     * ({@code /metricsXYZ} would reach {@code /metrics}, anything at all {@code /}); every
     * context serves its path alone, with any query.
     */
    static boolean exactPath(String contextPath, URI target) {
        String path = target.getRawPath();
        return path != null && path.equals(contextPath);
    }

    /**
     * Why the request target cannot be served, or null: origin form ({@code /metrics?...}) or
     * absolute form with an http(s) scheme and a host ({@code http://127.0.0.1:9100/metrics}),
     * whose host is then checked as the {@code Host} header is.
     */
    static String targetRefusal(URI target) {
        if (target == null || target.isOpaque()) {
            return "the request target must be a path or an http URL";
        }
        if (!target.isAbsolute()) {
            return target.getRawAuthority() == null ? null : "the request target must be a path or an http URL";
        }
        String scheme = target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || target.getHost() == null) {
            return "the request target must be a path or an http URL";
        }
        return null;
    }

    /** The host and port of an absolute request target, as a Host header would give them. */
    private static String authority(URI target) {
        return target.getPort() < 0 ? target.getHost() : target.getHost() + ":" + target.getPort();
    }

    /** Why the head cannot be trusted, or null. */
    static String malformed(Headers h) {
        for (Map.Entry<String, List<String>> e : h.entrySet()) {
            if (e.getKey() != null && hasControl(e.getKey())) {
                return "a header name holds a control character";
            }
            for (String v : e.getValue()) {
                if (v != null && hasControl(v)) {
                    return "a header value holds NUL or a bare CR";
                }
            }
        }
        List<String> lengths = h.get("Content-Length");
        if (lengths != null) {
            for (String v : lengths) {
                if (!allDigits(v)) {
                    return "Content-Length must be decimal digits";
                }
            }
        }
        List<String> te = h.get("Transfer-Encoding");
        if (te != null && (te.size() != 1 || !te.get(0).equals("chunked"))) {
            return "the only Transfer-Encoding understood is chunked";
        }
        if (te != null && lengths != null) {
            return "Content-Length and Transfer-Encoding together";
        }
        List<String> hosts = h.get("Host");
        if (hosts != null && hosts.size() > 1) {
            return "more than one Host header";
        }
        return null;
    }

    /** NUL or CR: a proxy or a logger before or after this server may read either as the end of the value. */
    private static boolean hasControl(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\0' || c == '\r') {
                return true;
            }
        }
        return false;
    }

    private static boolean hasBody(Headers h) {
        String cl = h.getFirst("Content-Length");
        return h.containsKey("Transfer-Encoding") || (cl != null && !cl.chars().allMatch(c -> c == '0'));
    }

    private static boolean allDigits(String v) {
        if (v == null || v.isEmpty() || v.length() > 18) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Whether the Host header names this machine's loopback: localhost, 127.x.y.z or [::1], any port. */
    static boolean isLoopbackHost(List<String> hosts) {
        if (hosts == null || hosts.size() != 1) {
            // HTTP/1.0 clients may leave it out; a browser never does
            return hosts == null;
        }
        String host = hosts.get(0).trim().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0 || !validPort(host.substring(close + 1))) {
                return false;
            }
            String inner = host.substring(1, close);
            return inner.equals("::1") || inner.equals("0:0:0:0:0:0:0:1");
        }
        int colon = host.indexOf(':');
        String name = colon < 0 ? host : host.substring(0, colon);
        if (colon >= 0 && !validPort(host.substring(colon))) {
            return false;
        }
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return true;
        }
        String[] parts = name.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String p : parts) {
            if (!allDigits(p) || p.length() > 3 || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean validPort(String colonAndPort) {
        if (colonAndPort.isEmpty()) {
            return true;
        }
        return colonAndPort.charAt(0) == ':' && colonAndPort.length() <= 6 && allDigits(colonAndPort.substring(1));
    }

    static void refuse(HttpExchange exchange, int code, String message) throws IOException {
        Responses.send(exchange, code, Responses.TEXT, message + "\n");
        exchange.close();
    }
}
