package org.afmetrics.testkernels;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * A small Java kernel on io.github.spencerpark:jupyter-jvm-basekernel:2.3.0 (the base of IJava),
 * started from a kernelspec as {@code java ... BaseKernelJShell {connection_file}}.
 */
public final class BaseKernelJShell extends BaseKernel {
    private final JShellEvaluator evaluator = new JShellEvaluator();
    private final LanguageInfo languageInfo = new LanguageInfo.Builder("java")
            .version(System.getProperty("java.version")).mimetype("text/x-java").fileExtension(".jshell")
            .pygments("java").codemirror("java").build();

    @Override
    public DisplayData eval(String code) {
        String value = evaluator.eval(code);
        return value == null ? null : new DisplayData(value);
    }

    @Override
    public LanguageInfo getLanguageInfo() {
        return languageInfo;
    }

    @Override
    public void interrupt() {
        evaluator.stop();
    }

    @Override
    public void onShutdown(boolean restart) {
        evaluator.close();
    }

    public static void main(String[] args) throws Exception {
        String contents = new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.UTF_8);
        JupyterConnection connection = new JupyterConnection(KernelConnectionProperties.parse(contents));
        BaseKernelJShell kernel = new BaseKernelJShell();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
    }
}
