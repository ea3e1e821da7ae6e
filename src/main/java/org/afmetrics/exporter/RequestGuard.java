package org.afmetrics.exporter;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.afmetrics.InternalErrors;

/**
 * The first filter of every context. The JDK server has parsed the request head and already
 * refused the worst of it (Content-Length with Transfer-Encoding, two Content-Lengths, a space
 * before a colon, an unknown Transfer-Encoding); this refuses, with 400, what it lets through
 * and a proxy or a browser might read otherwise: a Content-Length that is not plain digits, a
 * Transfer-Encoding other than exactly {@code chunked}. While the server is bound to a loopback
 * address only requests naming a loopback host are served, as Jupyter's own server does, so a
 * web page that rebinds its DNS name to 127.0.0.1 cannot read the metrics. It also starts the
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
            String refusal = malformed(h);
            if (refusal != null) {
                exchange.getResponseHeaders().set("Connection", "close");
                refuse(exchange, 400, refusal);
                return;
            }
            if (loopbackOnly && !isLoopbackHost(h.get("Host"))) {
                refuse(exchange, 403, "this exporter answers requests for loopback host names only");
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

    /** Why the head cannot be trusted, or null. */
    static String malformed(Headers h) {
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
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(code, -1);
        } else {
            exchange.sendResponseHeaders(code, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }
}
