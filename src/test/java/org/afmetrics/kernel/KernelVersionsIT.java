package org.afmetrics.kernel;

import org.afmetrics.testing.JupyterEnv;
import org.afmetrics.testing.Jdks;
import org.afmetrics.testing.TestKernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cell scenario of {@link CellMetricsIT} on the other kernel versions Maven Central serves
 * (the pinned versions run there). Of kotlin-jupyter-kernel it lists 0.11.0-89-1 and 0.11.0-398;
 * of jupyter-jvm-basekernel only 2.3.0 and of jjava-jupyter only 1.0-a6, which the test kernels
 * of CellMetricsIT use.
 */
class KernelVersionsIT {
    @ParameterizedTest(name = "kotlin-jupyter-kernel {0}")
    @ValueSource(strings = {"0.11.0-89-1"})
    void kotlinKernel(String version) throws Exception {
        JupyterEnv env = JupyterEnv.create();
        CellMetricsIT.scenario(env, "afm-kotlin-" + version, "kotlin",
                TestKernels.kotlin(Jdks.current(), env.dir().resolve("kotlin-home"), version), CellMetricsIT.KOTLIN,
                "kotlin", version);
    }
}
