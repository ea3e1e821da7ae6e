package org.afmetrics.exporter;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.afmetrics.notebook.Conversion;
import org.afmetrics.notebook.NotebookJsonException;
import org.afmetrics.notebook.ParseGate;
import org.afmetrics.notebook.PushedMetrics;

/**
 * {@code POST /notebook-metrics}: a notebook (in any language) or a script hands the agent a
 * JSON document in any of the notebook forms; it replaces the previously pushed set.
 * {@code DELETE} forgets the pushed set. Who may push is {@link HttpSecurity#pushRefusal}'s to say:
 * loopback processes of the kernel's own user, or with a push token any caller that presents it.
 */
public final class PushEndpoint implements HttpHandler {
    public static final String PATH = "/notebook-metrics";

    private final PushedMetrics pushed;
    private final long maxBytes;
    private final HttpSecurity security;
    private final Semaphore oneBodyAtATime = new Semaphore(1, true);
    /**
     * How long a push waits for the body before it: a maximal body arrives over loopback in tens
     * of milliseconds, and a waiting push holds an exchange thread that a scrape may need.
     */
    private static final long TURN_WAIT_MS = 100;

    public PushEndpoint(PushedMetrics pushed, long maxBytes) {
        this(pushed, maxBytes, HttpSecurity.none());
    }

    public PushEndpoint(PushedMetrics pushed, long maxBytes, HttpSecurity security) {
        this.pushed = pushed;
        this.maxBytes = maxBytes;
        this.security = security;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            serve(exchange);
        } catch (RuntimeException e) {
            respond(exchange, 500, error("internal error: " + e.getClass().getSimpleName()));
        } finally {
            exchange.close();
        }
    }

    /**
     * The checks in order of cost: method, content type and declared length (the head alone),
     * then who may push ({@link HttpSecurity#pushRefusal}: token, loopback, Origin, and last the
     * caller's user, which takes a scan of the kernel's socket table). A refused push costs no
     * more than the first check that refuses it.
     */
    private void serve(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        boolean delete = method.equals("DELETE");
        if (!delete && !method.equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "POST, DELETE");
            respond(exchange, 405, error("use POST with a JSON body (or DELETE to forget the pushed metrics)"));
            return;
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (!delete) {
            if (!acceptableType(type)) {
                pushed.rejectedUnread("bad_content_type", "push with Content-Type " + type);
                respond(exchange, 415, error("Content-Type must be application/json, not " + type));
                return;
            }
            if (declared != null && parseLong(declared) > maxBytes) {
                pushed.rejectedUnread("too_large", "push of " + declared + " bytes");
                respond(exchange, 413, error("the body has " + declared + " bytes, over push-max-bytes=" + maxBytes));
                return;
            }
        }
        HttpSecurity.Refusal refusal = security.pushRefusal(exchange.getRemoteAddress(), exchange.getLocalAddress(),
                exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Origin"));
        if (refusal != null) {
            pushed.rejectedUnread(refusal.reason(), "push refused: " + refusal.message());
            if (refusal.status() == 429) {
                exchange.getResponseHeaders().set("Retry-After", "1");
            }
            respond(exchange, refusal.status(), "{\"error\":" + quote(refusal.message()) + ",\"reason\":"
                    + quote(refusal.reason()) + "}");
            return;
        }
        if (delete) {
            pushed.clear();
            respond(exchange, 200, "{\"series\":0}");
            return;
        }
        // one body in memory at a time: pushes that arrive together cannot add up to more heap
        // than one maximal document; the others are told to come back, their bodies unread
        boolean turn;
        try {
            turn = oneBodyAtATime.tryAcquire(TURN_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            turn = false;
        }
        if (!turn) {
            pushed.rejectedUnread(ParseGate.BUSY, "push while another was being read");
            exchange.getResponseHeaders().set("Retry-After", "1");
            respond(exchange, 429, "{\"error\":\"another push was being read; try again later\",\"reason\":\""
                    + ParseGate.BUSY + "\"}");
            return;
        }
        try {
            accept(exchange, declared == null ? -1 : parseLong(declared));
        } finally {
            oneBodyAtATime.release();
        }
    }

    private void accept(HttpExchange exchange, long declared) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            // a declared length is read into an array of that size, not grown and copied
            if (declared >= 0) {
                body = new byte[(int) declared];
                int n = in.readNBytes(body, 0, body.length);
                body = n == body.length ? body : java.util.Arrays.copyOf(body, n);
            } else {
                body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            }
        }
        DeadlineExecutor.enter(DeadlineExecutor.Phase.RESPONSE);
        if (body.length > maxBytes) {
            pushed.rejectedUnread("too_large", "push over push-max-bytes");
            respond(exchange, 413, error("the body is over push-max-bytes=" + maxBytes + " bytes"));
            return;
        }
        try {
            Conversion c = pushed.accept(body, body.length);
            respond(exchange, 200, summary(c));
        } catch (NotebookJsonException e) {
            int status = 400;
            if (e.reason().equals(ParseGate.BUSY) || e.reason().equals("out_of_memory")) {
                // the agent's trouble, not the body's: the same body may well be taken a moment later
                status = e.reason().equals(ParseGate.BUSY) ? 429 : 503;
                exchange.getResponseHeaders().set("Retry-After", "1");
            }
            respond(exchange, status, "{\"error\":" + quote(e.getMessage()) + ",\"reason\":" + quote(e.reason()) + "}");
        }
    }

    /**
     * {@code application/json} only: a web page can send {@code text/plain} (or no type at all)
     * to any address without the browser asking first, but not JSON.
     */
    static boolean acceptableType(String type) {
        if (type == null) {
            return false;
        }
        String t = type.toLowerCase(Locale.ROOT);
        int semi = t.indexOf(';');
        return (semi < 0 ? t : t.substring(0, semi)).trim().equals("application/json");
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String summary(Conversion c) {
        StringBuilder sb = new StringBuilder("{\"series\":").append(c.series())
                .append(",\"skipped_fields\":").append(c.skippedFields()).append(",\"rejected\":{");
        boolean first = true;
        for (Map.Entry<String, Integer> e : c.sampleErrors().entrySet()) {
            sb.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(e.getValue());
            first = false;
        }
        sb.append("},\"messages\":[");
        for (int i = 0; i < c.messages().size(); i++) {
            sb.append(i == 0 ? "" : ",").append(quote(c.messages().get(i)));
        }
        return sb.append("]}").toString();
    }

    private static String error(String message) {
        return "{\"error\":" + quote(message) + "}";
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static void respond(HttpExchange exchange, int code, String json) throws IOException {
        byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
