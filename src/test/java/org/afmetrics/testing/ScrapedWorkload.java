package org.afmetrics.testing;

import java.nio.file.Path;

/**
 * JVMs with the agent that a facility test lets Prometheus discover: each writes its target file
 * into the given directory (agent key {@code targets-dir}). Implementations listed in
 * {@code META-INF/services/org.afmetrics.testing.ScrapedWorkload} (test resources) all run in
 * the dashboard test, so a workload of real kernels running cells joins by adding one line there.
 */
public interface ScrapedWorkload extends AutoCloseable {
    /** Starts the JVMs; returns once they are started (Prometheus finds them afterwards). */
    void start(Path targetsDir, Path scratch) throws Exception;

    /** Whether its JVMs run cells, so that the {@code jupyter_cell_*} series must reach Prometheus. */
    default boolean runsCells() {
        return false;
    }

    /** What it runs, for test reports. */
    String describe();

    @Override
    void close() throws Exception;
}
