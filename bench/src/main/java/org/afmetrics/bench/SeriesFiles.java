package org.afmetrics.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Notebook JSON documents of a given number of series, in the typed form: 20 families, each
 * series told apart by a {@code dataset} label, as a processing loop over many datasets writes.
 */
public final class SeriesFiles {
    public static final int FAMILIES = 20;

    private SeriesFiles() {
    }

    public static byte[] typed(int series) {
        StringBuilder sb = new StringBuilder(series * 120).append("{\"metrics\":[");
        for (int i = 0; i < series; i++) {
            int f = i % FAMILIES;
            sb.append(i == 0 ? "" : ",")
                    .append("{\"name\":\"bench_events_f").append(f).append("_total\",\"type\":\"counter\",")
                    .append("\"help\":\"Events processed, family ").append(f).append("\",")
                    .append("\"labels\":{\"dataset\":\"ds").append(i).append("\",\"stage\":\"skim\"},")
                    .append("\"value\":").append(i * 7 + 0.5).append('}');
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the document of {@code series} series to {@code dir/series-N.json}. */
    public static Path write(Path dir, int series) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve("series-" + series + ".json");
        Files.write(p, typed(series));
        return p;
    }
}
