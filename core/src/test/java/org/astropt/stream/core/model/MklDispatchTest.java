package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MklDispatchTest {

    private static final List<String> AMD = List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "model name\t: AMD EPYC");
    private static final List<String> INTEL = List.of("processor\t: 0", "vendor_id\t: GenuineIntel");
    private static final String SHIM_LINE =
            "7f00-7f01 r-xp 00001000 08:01 123 /opt/astropt/app/target/native/libastropt_mkl_isa_dispatch.so";
    private static final String LIBTORCH_LINE = "7f02-7f03 r-xp 00001000 08:01 124 /root/.djl.ai/pytorch/libtorch_cpu.so";

    @Test
    void anAmdCpuWithTheShimMappedChoosesByInstructionSets() {
        assertEquals(MklDispatch.ISA, MklDispatch.of(AMD, List.of(LIBTORCH_LINE, SHIM_LINE)));
    }

    @Test
    void anAmdCpuWithoutTheShimRunsTheGenericPaths() {
        assertEquals(MklDispatch.VENDOR, MklDispatch.of(AMD, List.of(LIBTORCH_LINE)));
        // a file of another name that merely contains the shim's name is not the shim
        assertEquals(MklDispatch.VENDOR, MklDispatch.of(AMD, List.of(SHIM_LINE + ".bak")));
    }

    @Test
    void otherVendorsAndUnreadableProcAreLeftToMkl() {
        assertEquals(MklDispatch.NATIVE, MklDispatch.of(INTEL, List.of(SHIM_LINE)));
        assertEquals(MklDispatch.NATIVE, MklDispatch.of(List.of(), List.of()));
    }
}
