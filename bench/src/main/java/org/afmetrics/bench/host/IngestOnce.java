package org.afmetrics.bench.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.afmetrics.notebook.Conversion;
import org.afmetrics.notebook.JsonFileSource;
import org.afmetrics.notebook.NotebookJson;
import org.afmetrics.notebook.NotebookJsonException;

/**
 * Takes one notebook JSON document the way the agent does, in a JVM of its own so that its
 * heap can be limited: {@code push FILE MAX_SERIES ROUNDS} holds the file's bytes as a pushed
 * body and converts them; {@code file FILE MAX_BYTES MAX_SERIES ROUNDS} has a JSON file source
 * read it. Prints {@code series=N reason=R ms=M} (R the whole document's reason, or {@code -};
 * M the median time of one document over ROUNDS). Uses only what the agent's JSON path has
 * offered all along, so the same program measures an older agent jar too.
 */
public final class IngestOnce {
    private static final Set<String> RESERVED = Set.of("user", "session", "notebook", "kernel");

    private IngestOnce() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path doc = Paths.get(args[1]);
        boolean push = mode.equals("push");
        long maxBytes = push ? 0 : Long.parseLong(args[2]);
        int maxSeries = Integer.parseInt(args[push ? 2 : 3]);
        int rounds = Integer.parseInt(args[push ? 3 : 4]);
        List<Double> ms = new ArrayList<>();
        String outcome = null;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            outcome = push ? push(doc, maxSeries) : file(doc, maxBytes, maxSeries);
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        Collections.sort(ms);
        System.out.println(outcome + String.format(Locale.ROOT, " ms=%.2f", ms.get(ms.size() / 2)));
    }

    /** The body as the push endpoint holds it once read, then converted. */
    private static String push(Path doc, int maxSeries) throws Exception {
        byte[] body = Files.readAllBytes(doc);
        try {
            Conversion c = NotebookJson.convert(body, body.length, "notebook_", RESERVED, maxSeries, "push");
            return "series=" + c.series() + " reason=-";
        } catch (NotebookJsonException e) {
            return "series=0 reason=" + e.reason();
        }
    }

    private static String file(Path doc, long maxBytes, int maxSeries) {
        JsonFileSource source = new JsonFileSource(doc, "notebook_", RESERVED, maxBytes, maxSeries);
        source.refresh();
        Conversion c = source.health().lastGood();
        String reason = source.health().errors().isEmpty() ? "-"
                : source.health().errors().keySet().iterator().next();
        return "series=" + (c == null ? 0 : c.series()) + " reason=" + reason;
    }
}
