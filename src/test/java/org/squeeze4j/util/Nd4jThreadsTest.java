package org.squeeze4j.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class Nd4jThreadsTest {

    @Test
    void setsLibnd4jsMasterThreadsAndBlas() {
        int threads = Nd4j.getEnvironment().maxThreads();
        int master = Nd4j.getEnvironment().maxMasterThreads();
        int blas = Nd4jThreads.blasThreads();
        try {
            Nd4jThreads.set(1);
            assertEquals(1, Nd4j.getEnvironment().maxMasterThreads());
            assertEquals(1, Nd4jThreads.blasThreads());
            assertEquals(6.0, Nd4j.ones(2, 3).mmul(Nd4j.ones(3, 2)).sumNumber().doubleValue() / 2, 0.0);
        } finally {
            Nd4j.getEnvironment().setMaxMasterThreads(master);
            Nd4j.getEnvironment().setMaxThreads(threads);
            Nd4j.factory().blas().setMaxThreads(blas);
        }
    }

    @Test
    void rejectsZeroThreads() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Nd4jThreads.set(0));
        assertTrue(e.getMessage().contains("at least one thread"), e.getMessage());
    }
}
