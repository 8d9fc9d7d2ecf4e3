package org.astropt.stream.flink.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.junit.jupiter.api.Test;

/** Which device a subtask embeds on: the override, Flink's GPU assignment, visible GPUs, the CPU. */
class ServingDeviceTest {

    @Test
    void theOverrideWins() {
        assertEquals("gpu3", ServingDevice.choose(" gpu3 ", List.of("0"), 4, 0));
        assertEquals("cpu", ServingDevice.choose("cpu", List.of("1"), 4, 0));
    }

    @Test
    void subtasksTakeTheAssignedIndexesRoundRobin() {
        List<String> assigned = List.of("2", "5");
        assertEquals("gpu2", ServingDevice.choose(null, assigned, 8, 0));
        assertEquals("gpu5", ServingDevice.choose(null, assigned, 8, 1));
        assertEquals("gpu2", ServingDevice.choose(null, assigned, 8, 2));
    }

    @Test
    void aSingleVisibleGpuIsNumberedZeroWhateverItsHostIndex() {
        assertEquals("gpu0", ServingDevice.choose("", List.of("3"), 1, 0), "CUDA_VISIBLE_DEVICES=3 shows one GPU, gpu0");
    }

    @Test
    void anIndexLibtorchDoesNotSeeIsAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> ServingDevice.choose(null, List.of("6"), 2, 0));
        assertTrue(e.getMessage().contains("index 6") && e.getMessage().contains("sees only 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServingDevice.choose(null, List.of("x"), 2, 0));
    }

    @Test
    void withoutAssignmentVisibleGpusAreSharedAndOtherwiseTheCpuServes() {
        assertEquals("gpu1", ServingDevice.choose(null, List.of(), 2, 3));
        assertEquals("cpu", ServingDevice.choose(null, List.of(), 0, 0));
        assertEquals("cpu", ServingDevice.choose(null, List.of("0"), 0, 0), "CPU natives: the assignment cannot be used");
    }

    @Test
    void indexesAreReadFromTheResourceInfosInNumericOrder() {
        Set<ExternalResourceInfo> infos = Set.of(gpu("10"), gpu("2"), gpu(null));
        assertEquals(List.of("2", "10"), ServingDevice.indexes(infos));
    }

    private static ExternalResourceInfo gpu(String index) {
        return new ExternalResourceInfo() {
            @Override
            public java.util.Optional<String> getProperty(String key) {
                return "index".equals(key) ? java.util.Optional.ofNullable(index) : java.util.Optional.empty();
            }

            @Override
            public java.util.Collection<String> getKeys() { return index == null ? List.of() : List.of("index"); }
        };
    }
}
