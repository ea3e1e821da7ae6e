package org.afmetrics.exporter;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.afmetrics.identity.Identity;
import org.afmetrics.notebook.Conversion;
import org.afmetrics.notebook.SourceHealth;

/**
 * The page at {@code /}: whose kernel this is, the notebook's JSON sources and how they fare,
 * and links to the metrics. Plain HTML that any browser (or {@code curl}) shows as it is.
 */
public final class LandingPage implements HttpHandler {
    private final String version;
    private final Supplier<Identity> identity;
    private final Supplier<List<SourceHealth>> sources;
    private final boolean push;

    public LandingPage(String version, Supplier<Identity> identity, Supplier<List<SourceHealth>> sources,
                       boolean push) {
        this.version = version;
        this.identity = identity;
        this.sources = sources;
        this.push = push;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            int code;
            String body;
            if (!"/".equals(exchange.getRequestURI().getPath())) {
                code = 404;
                body = page("Not found", "<p>Nothing here. The metrics are at <a href=\"/metrics\">/metrics</a>.</p>");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                code = 405;
                body = page("Method not allowed", "<p>Use GET.</p>");
            } else {
                code = 200;
                body = render();
            }
            Responses.send(exchange, code, Responses.HTML, body);
        } finally {
            exchange.close();
        }
    }

    String render() {
        StringBuilder b = new StringBuilder();
        b.append("<p><a href=\"/metrics\">/metrics</a> · <a href=\"/-/healthy\">/-/healthy</a></p>\n");
        b.append("<h2>Identity</h2>\n<table>\n");
        for (Map.Entry<String, String> l : identity.get().labels().entrySet()) {
            b.append("<tr><th>").append(escape(l.getKey())).append("</th><td>").append(escape(l.getValue()))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Notebook JSON sources</h2>\n");
        List<SourceHealth> all = sources.get();
        if (all.isEmpty()) {
            b.append("<p>None configured.</p>\n");
        } else {
            b.append("<table>\n<tr><th>source</th><th>series</th><th>last success</th><th>errors</th>"
                    + "<th>last error</th></tr>\n");
            for (SourceHealth s : all) {
                Conversion good = s.lastGood();
                double at = s.lastSuccessSeconds();
                b.append("<tr><td>").append(escape(s.name())).append("</td><td>")
                        .append(good == null ? 0 : good.series()).append("</td><td>")
                        .append(Double.isNaN(at) ? "never" : Instant.ofEpochMilli((long) (at * 1000)).toString())
                        .append("</td><td>").append(escape(errors(s.errors()))).append("</td><td>")
                        .append(s.lastError() == null ? "" : escape(s.lastError())).append("</td></tr>\n");
            }
            b.append("</table>\n");
        }
        if (push) {
            b.append("<p>Notebooks on this host may also POST JSON to <code>/notebook-metrics</code>.</p>\n");
        }
        return page("af-metrics agent " + escape(version), b.toString());
    }

    private static String errors(Map<String, Long> errors) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : errors.entrySet()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    private static String page(String title, String content) {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title + "</title>\n"
                + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                + "th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head>\n"
                + "<body><h1>" + title + "</h1>\n" + content + "</body></html>\n";
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '&': sb.append("&amp;"); break;
                case '"': sb.append("&quot;"); break;
                case '\'': sb.append("&#39;"); break;
                default: sb.append(c);
            }
        }
        return sb.toString();
    }
}
