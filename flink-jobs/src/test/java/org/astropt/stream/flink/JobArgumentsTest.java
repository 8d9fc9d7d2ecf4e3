package org.astropt.stream.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JobArgumentsTest {

    @Test
    void readsTheCommonOptionsAndTheJobsOwnWithDefaultsForTheFiles() throws Exception {
        JobArguments a = JobArguments.parse(new String[] {"--bootstrap", "kafka:9092", "--model", "astropt:4", "--topics", "t.properties"}, "model");
        assertEquals("astropt:4", a.required("model", "NAME:VERSION"));
        assertEquals(Path.of("t.properties"), a.topicsFile());
        assertEquals(Path.of("config/pipeline.properties"), a.config());
        assertEquals("kafka:9092", a.required("bootstrap", "HOST:PORT"));
    }

    @Test
    void anOptionTheJobDoesNotTakeIsRefusedListingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobArguments.parse(new String[] {"--bootstrap", "k:1", "--model", "astropt:4"}));
        assertEquals("unknown option --model; use --bootstrap, --config, --topics, --kafka-config", e.getMessage());
    }

    @Test
    void aMissingRequiredOptionOrValueSaysWhatIsMissing() {
        JobArguments a = JobArguments.parse(new String[] {"--config", "c.properties"});
        assertEquals("--bootstrap HOST:PORT is required", assertThrows(IllegalArgumentException.class, a::kafka).getMessage());
        assertEquals("--topics needs a value",
                assertThrows(IllegalArgumentException.class, () -> JobArguments.parse(new String[] {"--bootstrap", "k:1", "--topics"})).getMessage());
    }
}
