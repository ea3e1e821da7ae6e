package org.afmetrics.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real kernel running cells: the basekernel test kernel, started by jupyter_client from a
 * kernelspec that attaches the agent (with {@code targets-dir}), runs ok cells, one failing
 * cell and a slower one, so the cell metrics have data.
 */
public final class KernelCellsWorkload implements ScrapedWorkload {
    private KernelDriver kernel;

    @Override
    public void start(Path targetsDir, Path scratch) throws Exception {
        JupyterEnv env = JupyterEnv.create();
        env.kernelspec("afm-workload-java", "java", TestKernels.jshell(Jdks.current(), TestKernels.BASEKERNEL_MAIN),
                Map.of("JAVA_TOOL_OPTIONS", AgentJar.option("port=0,hotspot=true,targets-dir=" + targetsDir),
                        "JUPYTERHUB_USER", "carol"));
        kernel = KernelDriver.start(env, "afm-workload-java", Duration.ofSeconds(180));
        Duration t = Duration.ofSeconds(60);
        for (String cell : List.of("int events = 125000;", "events / 2", "Thread.sleep(1500);")) {
            String status = kernel.execute(cell, t).path("status").asText();
            if (!status.equals("ok")) {
                throw new IllegalStateException("cell " + cell + " ended " + status + "\n" + kernel.log());
            }
        }
        kernel.execute("throw new IllegalStateException(\"fails on purpose\");", t);
    }

    @Override
    public boolean runsCells() {
        return true;
    }

    @Override
    public String describe() {
        return "the basekernel test kernel from a kernelspec (carol): 3 ok cells, 1 failing cell";
    }

    @Override
    public void close() throws Exception {
        if (kernel != null) {
            kernel.close();
        }
    }
}
