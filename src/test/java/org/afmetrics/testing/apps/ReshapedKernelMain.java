package org.afmetrics.testing.apps;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;

/**
 * A host that loads a class of a kernel's hooked name (compiled by the test, with its hook
 * methods missing or reshaped), calls its method {@code args[1]} with the text {@code args[2]},
 * prints the result, waits for a line on stdin and exits with status 3: output and exit code to
 * compare with and without the agent.
 */
public final class ReshapedKernelMain {
    private ReshapedKernelMain() {
    }

    public static void main(String[] args) throws Exception {
        Class<?> kernelClass = Class.forName(args[0]);
        Method m = kernelClass.getMethod(args[1], String.class);
        Object target = Modifier.isStatic(m.getModifiers()) ? null : kernelClass.getConstructor().newInstance();
        System.out.println("result: " + m.invoke(target, args[2]));
        System.out.println("waiting");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        System.exit(3);
    }
}
