package org.afmetrics.exporter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.util.Locale;
import java.util.Map;
import org.afmetrics.notebook.Conversion;
import org.afmetrics.notebook.NotebookJsonException;
import org.afmetrics.notebook.PushedMetrics;
import org.afmetrics.notebook.Reason;
import org.afmetrics.notebook.Turn;

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
    private final Turn oneBodyAtATime = new Turn();
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
            respond(exchange, 500, answer("internal error: " + e.getClass().getSimpleName(), null));
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
            respond(exchange, 405, answer("use POST with a JSON body (or DELETE to forget the pushed metrics)", null));
            return;
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (!delete) {
            if (!acceptableType(type)) {
                refuseUnread(exchange, Reason.BAD_CONTENT_TYPE, "push with Content-Type " + type,
                        "Content-Type must be application/json, not " + type);
                return;
            }
            if (declared != null && parseLong(declared) > maxBytes) {
                refuseUnread(exchange, Reason.TOO_LARGE, "push of " + declared + " bytes",
                        "the body has " + declared + " bytes, over push-max-bytes=" + maxBytes);
                return;
            }
        }
        HttpSecurity.Refusal refusal = security.pushRefusal(exchange.getRemoteAddress(), exchange.getLocalAddress(),
                exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Origin"));
        if (refusal != null) {
            refuse(exchange, refusal.reason(), "push refused: " + refusal.message(), refusal.message());
            return;
        }
        if (delete) {
            pushed.clear();
            respond(exchange, 200, json(g -> g.writeNumberField("series", 0)));
            return;
        }
        // one body in memory at a time: pushes that arrive together cannot add up to more heap
        // than one maximal document; the others are told to come back, their bodies unread
        if (!oneBodyAtATime.tryEnter(TURN_WAIT_MS)) {
            refuse(exchange, Reason.BUSY, "push while another was being read", "another push was being read; try again later");
            return;
        }
        try {
            accept(exchange, declared == null ? -1 : parseLong(declared));
        } finally {
            oneBodyAtATime.leave();
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
            refuseUnread(exchange, Reason.TOO_LARGE, "push over push-max-bytes",
                    "the body is over push-max-bytes=" + maxBytes + " bytes");
            return;
        }
        try {
            Conversion c = pushed.accept(body, body.length);
            respond(exchange, 200, summary(c));
        } catch (NotebookJsonException e) {
            refused(exchange, e.reason(), e.getMessage());
        }
    }

    /**
     * Counts a push refused for what its head says (or who sent it) and answers
     * {@code {"error": message}}.
     */
    private void refuseUnread(HttpExchange exchange, Reason reason, String counted, String message)
            throws IOException {
        pushed.rejectedUnread(reason, counted);
        respond(exchange, reason.pushStatus(), answer(message, null));
    }

    /** Counts a push refused for {@code reason} and answers it as {@link #refused} does. */
    private void refuse(HttpExchange exchange, Reason reason, String counted, String message) throws IOException {
        pushed.rejectedUnread(reason, counted);
        refused(exchange, reason, message);
    }

    /**
     * Answers a push that was refused for {@code reason}, already counted:
     * {@code {"error": message, "reason": label}}, and {@code Retry-After} when the trouble was
     * the agent's (busy, short of heap): the same body may well be taken a moment later.
     */
    private static void refused(HttpExchange exchange, Reason reason, String message) throws IOException {
        if (reason.pushMayRetry()) {
            exchange.getResponseHeaders().set("Retry-After", "1");
        }
        respond(exchange, reason.pushStatus(), answer(message, reason));
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

    /** What a push became: its series, skipped fields, samples refused by reason and their texts. */
    private static String summary(Conversion c) throws IOException {
        return json(g -> {
            g.writeNumberField("series", c.series());
            g.writeNumberField("skipped_fields", c.skippedFields());
            g.writeObjectFieldStart("rejected");
            for (Map.Entry<String, Integer> e : c.sampleErrors().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("messages");
            for (String m : c.messages()) {
                g.writeString(m);
            }
            g.writeEndArray();
        });
    }

    /** {@code {"error": message}}, with the reason's label when one is given. */
    private static String answer(String message, Reason reason) throws IOException {
        return json(g -> {
            g.writeStringField("error", message);
            if (reason != null) {
                g.writeStringField("reason", reason.label());
            }
        });
    }

    /** The fields of an answer's one object. */
    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    /** An object written by jackson-core, which a push loads anyway to read its body. */
    private static String json(Fields fields) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        }
        return out.toString();
    }

    /** Loaded with the first answer, not with the endpoint. */
    private static final class Json {
        static final JsonFactory FACTORY = new JsonFactory();
    }

    private static void respond(HttpExchange exchange, int code, String json) throws IOException {
        Responses.send(exchange, code, Responses.JSON, json + "\n");
    }
}
