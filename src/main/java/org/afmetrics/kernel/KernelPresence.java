package org.afmetrics.kernel;

/**
 * Whether a hooked kernel can appear in this JVM, asked once in premain. A class of its own,
 * apart from {@link KernelHooks}: a JVM that is no kernel loads this and the hook table, and
 * nothing of the recorder or the metrics.
 */
public final class KernelPresence {
    private KernelPresence() {
    }

    /**
     * True when the main class (from {@code sun.java.command}) is a known kernel's, or one of the
     * hooked classes is a resource of the system class loader (the kernel's jar is on the class
     * path). A kernel that loads its classes through a class loader of its own is not seen here:
     * {@code cell-hooks=force} is for that.
     */
    public static boolean kernelMayAppear(String main) {
        for (String kernelMain : HookPoints.KERNEL_MAINS) {
            if (kernelMain.equals(main)) {
                return true;
            }
        }
        ClassLoader system = ClassLoader.getSystemClassLoader();
        for (String hooked : HookPoints.classes()) {
            // the JDK's own JShell engine is hooked for the kernels that run cells on it, but its
            // presence says nothing: every JDK has it
            if (!hooked.startsWith(HookPoints.JSHELL_EXECUTION) && system.getResource(hooked + ".class") != null) {
                return true;
            }
        }
        return false;
    }
}
