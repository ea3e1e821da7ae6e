package org.afmetrics.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KernelPresenceTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "jupyter-jvm-basekernel-2.3.0.jar, true",
        "jjava-jupyter-1.0-a6.jar, true",
        "jjava-1.0-a6.jar, true",
        "ijava-1.3.0.jar, true",
        "IJava-1.3.0.jar, true",
        "kotlin-jupyter-kernel-0.11.0-398.jar, true",
        "kotlin-jupyter-api-0.11.0-398.jar, false",
        "kotlin-stdlib-1.9.0.jar, false",
        "jupyter-jvm-basekernel-2.3.0.pom, false",
        "my-notebook-helper.jar, false",
    })
    void kernelJarsAreKnownByTheirFileName(String fileName, boolean kernel) {
        assertEquals(kernel, KernelPresence.isKernelJarName(fileName));
    }

    @Test
    void aKnownKernelMainOrAKernelJarOnTheClassPathMeansAKernelMayAppear() {
        assertTrue(KernelPresence.kernelMayAppear("org.jetbrains.kotlinx.jupyter.IkotlinKt"));
        // the tests' class path holds jupyter-jvm-basekernel, as a kernel built on it would
        assertTrue(KernelPresence.kernelMayAppear("org.example.SomeMain"));
    }

    @Test
    void thePresenceCheckLooksForEveryClassTheHookTableHooks() {
        assertEquals(new java.util.TreeSet<>(HookPoints.classes()),
                new java.util.TreeSet<>(java.util.Arrays.asList(KernelPresence.HOOKED_CLASSES)));
    }
}
