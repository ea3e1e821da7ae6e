package org.afmetrics.testing.apps;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.afmetrics.testkernels.BaseKernelJShell;

/**
 * Loads the basekernel test kernel's classes, says so, and with argument {@code connect} waits
 * for a line on stdin before it connects the kernel (its start hook) and sleeps: the window in
 * which a test attaches the agent to a JVM whose kernel classes are already loaded.
 */
public final class LateKernelMain {
    private LateKernelMain() {
    }

    public static void main(String[] args) throws Exception {
        BaseKernelJShell kernel = new BaseKernelJShell();
        System.out.println("kernel classes loaded");
        if (args.length == 0 || !args[0].equals("connect")) {
            return;
        }
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        // channels are created but never bound: becomeHandlerForConnection only registers handlers
        JupyterConnection connection = new JupyterConnection(new KernelConnectionProperties("127.0.0.1", 1, 2, 3, 4, 5,
                "tcp", "hmac-sha256", "test-key"));
        kernel.becomeHandlerForConnection(connection);
        System.out.println("kernel connected");
        Thread.sleep(120_000);
    }
}
