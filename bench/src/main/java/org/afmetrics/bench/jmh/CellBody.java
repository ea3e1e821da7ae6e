package org.afmetrics.bench.jmh;

import java.util.function.LongSupplier;

/**
 * The kernel method the cell hook benchmarks weave: a trivial body (the kernel's reply, here a
 * counter), so what a woven copy costs above a plain copy is the hook alone.
 */
public class CellBody implements LongSupplier {
    private long executionCount;

    @Override
    public long getAsLong() {
        return ++executionCount;
    }

    /** A new instance of {@code type}, a plain or woven copy of this class. */
    static LongSupplier of(Class<?> type) throws ReflectiveOperationException {
        return (LongSupplier) type.getDeclaredConstructor().newInstance();
    }
}
